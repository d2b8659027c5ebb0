// What a packed tarball must hold, decided from its manifest and file list alone (no I/O here).

/** The export condition that points the workspace at TypeScript sources; no consumer sets it. */
export const SOURCE_CONDITION = '@governed-mcp/source';

/** Files every published package carries besides its code. */
export const REQUIRED_FILES = ['package.json', 'README.md', 'LICENSE'];

/**
 * Every leaf target of an `exports` map, as `{ subpath, conditions, target }` with the condition path
 * that leads to it (`[]` for a bare string). Handles strings, condition objects, nesting and arrays.
 */
export function exportTargets(exportsField) {
  const out = [];
  const visit = (subpath, node, conditions) => {
    if (typeof node === 'string') out.push({ subpath, conditions, target: node });
    else if (Array.isArray(node)) for (const item of node) visit(subpath, item, conditions);
    else if (node !== null && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) visit(subpath, value, [...conditions, key]);
  };
  if (exportsField === undefined || exportsField === null) return out;
  const isSubpathMap =
    typeof exportsField === 'object' &&
    !Array.isArray(exportsField) &&
    Object.keys(exportsField).some((key) => key.startsWith('.'));
  if (isSubpathMap) for (const [subpath, node] of Object.entries(exportsField)) visit(subpath, node, []);
  else visit('.', exportsField, []);
  return out;
}

/** `./dist/a.js` → `dist/a.js`. */
function normalise(target) {
  return target.replace(/^\.\//, '');
}

function topLevelDirectory(path) {
  const slash = path.indexOf('/');
  return slash === -1 ? undefined : path.slice(0, slash);
}

function listedInFiles(manifest, directory) {
  const files = Array.isArray(manifest.files) ? manifest.files : [];
  return files.some((entry) => normalise(entry).replace(/\/$/, '').split('/')[0] === directory);
}

/**
 * Checks one tarball: `manifest` is its packed package.json (parsed), `rawManifest` the same as text,
 * `files` its paths without the leading `package/`. Returns `{ failures, notes }`, each an array of
 * `{ code, message }`; `failures` make the check fail, `notes` are reported only.
 */
export function checkTarball({ manifest, rawManifest, files }) {
  const failures = [];
  const notes = [];
  const present = new Set(files);
  const fail = (code, message) => failures.push({ code, message });

  if (rawManifest.includes('workspace:'))
    fail('workspace_protocol', 'packed package.json still contains a `workspace:` dependency range');
  for (const required of REQUIRED_FILES) {
    const found =
      required === 'LICENSE' ? files.some((f) => /^licen[cs]e(\.[a-z]+)?$/i.test(f)) : present.has(required);
    if (!found) fail('missing_file', `tarball lacks ${required}`);
  }

  const bySubpath = new Map();
  for (const entry of exportTargets(manifest.exports)) {
    const list = bySubpath.get(entry.subpath) ?? [];
    list.push(entry);
    bySubpath.set(entry.subpath, list);
  }
  if (bySubpath.size === 0 && manifest.main === undefined)
    fail('no_entry', 'package.json has neither `exports` nor `main`');
  for (const [subpath, entries] of bySubpath) {
    const published = entries.filter((e) => !e.conditions.includes(SOURCE_CONDITION));
    const sourceOnly = entries.filter((e) => e.conditions.includes(SOURCE_CONDITION));
    if (published.length === 0) {
      fail(
        'source_only_export',
        `export "${subpath}" resolves only through the ${SOURCE_CONDITION} condition`,
      );
      continue;
    }
    const conditions = new Set(published.flatMap((e) => e.conditions));
    if (!conditions.has('types')) fail('export_without_types', `export "${subpath}" has no \`types\` target`);
    if (!conditions.has('default') && !conditions.has('import'))
      fail('export_without_default', `export "${subpath}" has no \`default\` (or \`import\`) target`);
    for (const { conditions: path, target } of published) {
      const file = normalise(target);
      if (file.includes('*')) continue; // a pattern; its files are checked by the import step
      if (!present.has(file))
        fail(
          'missing_export_target',
          `export "${subpath}" [${path.join(' > ')}] → ${target} is not in the tarball`,
        );
      else if (/\.(c|m)?ts$/.test(file) && !/\.d\.(c|m)?ts$/.test(file))
        fail(
          'typescript_runtime_target',
          `export "${subpath}" [${path.join(' > ')}] → ${target} is TypeScript source`,
        );
    }
    for (const { target } of sourceOnly)
      if (!present.has(normalise(target)))
        notes.push({
          code: 'source_condition_unshipped',
          message: `export "${subpath}" names ${target} under ${SOURCE_CONDITION}, which is not shipped (harmless: only the workspace sets that condition)`,
        });
  }

  for (const field of ['main', 'types', 'typings', 'module'])
    if (typeof manifest[field] === 'string' && !present.has(normalise(manifest[field])))
      fail('missing_entry_target', `package.json \`${field}\` → ${manifest[field]} is not in the tarball`);
  const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const [name, target] of Object.entries(bins))
    if (!present.has(normalise(target)))
      fail('missing_bin_target', `bin "${name}" → ${target} is not in the tarball`);

  const strayDirectories = new Set();
  const testFiles = [];
  for (const file of files) {
    const top = topLevelDirectory(file);
    if ((top === 'src' || top === 'test') && !listedInFiles(manifest, top)) strayDirectories.add(top);
    if (/\.(test|spec)\.(d\.)?(c|m)?(js|ts)(\.map)?$/.test(file)) testFiles.push(file);
  }
  for (const top of strayDirectories)
    fail('stray_directory', `tarball ships ${top}/ although \`files\` does not list it`);
  if (testFiles.length > 0)
    fail(
      'test_file_shipped',
      `tarball ships ${testFiles.length} test file(s), e.g. ${testFiles.slice(0, 3).join(', ')}`,
    );

  return { failures, notes };
}
