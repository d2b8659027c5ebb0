// Writes the project's own sessions: eval/sessions.jsonl (development) and eval/sessions-heldout.jsonl
// (held out: written to the same recipe, never used to tune anything). `node eval/sources/sessions/build.mjs`
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const evalDir = (name) => fileURLToPath(new URL(`../../${name}`, import.meta.url));

import { dev } from './dev.mjs';
import { devBenign } from './dev-benign.mjs';
import { ho } from './ho.mjs';

const out = (file, sessions) => {
  const ids = new Set();
  for (const x of sessions) {
    if (ids.has(x.id)) throw new Error('dup ' + x.id);
    ids.add(x.id);
  }
  writeFileSync(file, sessions.map((x) => JSON.stringify(x)).join('\n') + '\n');
  const att = sessions.filter((x) => x.steps.some((s) => s.label === 'dangerous'));
  const st = sessions.flatMap((x) => x.steps);
  console.log(
    file,
    'sessions',
    sessions.length,
    'attack',
    att.length,
    'benign',
    sessions.length - att.length,
    'steps',
    st.length,
    'safe',
    st.filter((s) => s.label === 'safe').length,
    'dangerous',
    st.filter((s) => s.label === 'dangerous').length,
  );
};
out(evalDir('sessions.jsonl'), [...dev, ...devBenign]);
out(evalDir('sessions-heldout.jsonl'), ho);
