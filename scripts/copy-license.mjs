// `prepack` of every package: the repository's LICENSE ships in each tarball (npm includes a package
// folder's LICENSE automatically). The copies are build output, ignored by git.
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

copyFileSync(fileURLToPath(new URL('../LICENSE', import.meta.url)), 'LICENSE');
