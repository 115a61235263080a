#!/usr/bin/env node
// Runs the TypeScript CLI in place (tsx), so the repository is the tool.
import { register } from 'tsx/esm/api';

register();
await import('../cli/eks-upgrade.ts');
