// Printed by `npm start` after the VSIX is built: where it is and how to install it.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const vsix = `${name}-${version}.vsix`;
if (!existsSync(vsix)) {
  console.error(`${vsix} was not built; run npm run package to see why.`);
  process.exit(1);
}
console.log(`VS Code extension: ${resolve(vsix)}
Install it with:  code --install-extension ${vsix}
(or in VS Code: Extensions view → … → Install from VSIX…), then run "ClassChat: Connect".
`);
