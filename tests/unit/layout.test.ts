import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every .ts file under a directory. */
function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('module layout', () => {
  it('keeps the CLI a leaf: the product, the report, npm start and the bench import nothing from cli/', () => {
    const importers = ['functions', 'format', 'report', 'local', 'bench', 'scripts']
      .flatMap(sources)
      .filter((file) => /from '(\.\.\/)+cli\//.test(readFileSync(file, 'utf8')));
    expect(importers).toEqual([]);
  });

  it('traces every SDK client a function makes (its own through stepClient, assumed ones through assumedClients)', () => {
    const untraced = sources('functions').flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(
          (line) =>
            /new \w+Client\(/.test(line) && !/stepClient\(new \w+Client\(|\(config\) => new/.test(line),
        )
        .map((line) => `${file}: ${line.trim()}`),
    );
    expect(untraced).toEqual([]);
  });

  it('keeps the Lambda functions free of the simulator, the harness and the CLI', () => {
    const importers = sources('functions').filter((file) =>
      /from '(\.\.\/)+(local|cli|report|format)\//.test(readFileSync(file, 'utf8')),
    );
    expect(importers).toEqual([]);
  });
});
