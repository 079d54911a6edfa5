/** `npm run generate`: writes the CRD YAML into crds/ and the chart from the TypeBox source. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRD_DIRS, renderCrdFiles } from './crd/crds.js';

const root = new URL('../..', import.meta.url).pathname;
for (const dir of CRD_DIRS) {
  mkdirSync(join(root, dir), { recursive: true });
  for (const [name, text] of renderCrdFiles()) {
    writeFileSync(join(root, dir, name), text);
    console.log(`wrote ${join(dir, name)}`);
  }
}
