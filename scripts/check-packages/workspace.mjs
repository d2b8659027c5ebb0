// The workspace side: which packages are published, building them, packing them and reading tarballs.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess, tail } from './exec.mjs';

const PNPM = ['-y', 'pnpm@10'];

/** Every `packages/<dir>/package.json` not marked `"private": true`, as `{ name, dir, manifest }`. */
export async function listPublishable(root) {
  const out = [];
  for (const entry of await readdir(join(root, 'packages'), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, 'packages', entry.name);
    let manifest;
    try {
      manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    } catch {
      continue; // a folder without a manifest is not a package
    }
    if (manifest.private !== true) out.push({ name: manifest.name, dir, manifest });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Builds every package; resolves with `undefined` or a failure message. */
export async function buildAll(root) {
  const result = await runProcess('npx', [...PNPM, '-r', '--filter', './packages/*', 'build'], { cwd: root });
  return result.code === 0 ? undefined : `build failed:\n${tail(result, 20)}`;
}

/** Packs one package with pnpm (which rewrites `workspace:` ranges) into `destination`. */
export async function packPackage(dir, destination) {
  const before = new Set(await readdir(destination));
  const result = await runProcess('npx', [...PNPM, 'pack', '--pack-destination', destination], { cwd: dir });
  if (result.code !== 0) return { error: `pnpm pack failed:\n${tail(result, 12)}` };
  const created = (await readdir(destination)).filter((f) => f.endsWith('.tgz') && !before.has(f));
  if (created.length !== 1) return { error: `pnpm pack produced ${created.length} tarballs` };
  return { tarball: join(destination, created[0]) };
}

/** The file list (without `package/`), packed manifest and size of a tarball. */
export async function readTarball(tarball) {
  const listing = await runProcess('tar', ['-tzf', tarball]);
  if (listing.code !== 0) throw new Error(`cannot list ${tarball}: ${tail(listing)}`);
  const files = listing.stdout
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''));
  const extracted = await runProcess('tar', ['-xzOf', tarball, 'package/package.json']);
  if (extracted.code !== 0) throw new Error(`cannot read package.json from ${tarball}: ${tail(extracted)}`);
  const rawManifest = extracted.stdout;
  return { files, rawManifest, manifest: JSON.parse(rawManifest), bytes: (await stat(tarball)).size };
}
