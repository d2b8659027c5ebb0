/** The result of normalising one string: the text detectors read and the disguises removed. */
export interface Normalized {
  readonly text: string;
  /** Disguises present: 'nfkc', 'invisible', 'bidi', 'tags', 'homoglyph' (empty when none). */
  readonly disguises: readonly string[];
  /** Text hidden in Unicode tag characters (ASCII smuggling), when any. */
  readonly hidden?: string;
}

const NONE: readonly string[] = Object.freeze([]);

// Printable ASCII plus tab, newline, carriage return: such strings need no normalisation at all.
const PLAIN = /^[\t\n\r\x20-\x7e]*$/;

// Zero-width and other invisible format characters (not the emoji joiner's visible effect: stripping
// it only matters to detectors).
const INVISIBLE =
  /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200d\u2060-\u2064\ufeff]/g;
const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const TAGS = /[\u{e0000}-\u{e007f}]/gu;

/**
 * Letters from other scripts that look like Latin ones. NFKC already folds full-width forms and
 * mathematical alphanumerics; these survive it.
 */
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ɡ: 'g',
  һ: 'h',
  ӏ: 'l',
  ɩ: 'i',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  Х: 'X',
  І: 'I',
  Ј: 'J',
  Ѕ: 'S',
  α: 'a',
  ο: 'o',
  ρ: 'p',
  ν: 'v',
  τ: 't',
  ι: 'i',
  κ: 'k',
  χ: 'x',
  υ: 'u',
  ε: 'e',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  '\u2044': '/',
  '\u2215': '/',
  '\u29f8': '/',
  '\uff0f': '/',
  '\u2024': '.',
  '\u02d0': ':',
  '\u0589': ':',
  '\u2236': ':',
  '\u01c0': '|',
  '\u2223': '|',
  '\u23fd': '|',
  '\u2502': '|',
};
const CONFUSABLE_CLASS = new RegExp(`[${Object.keys(CONFUSABLES).join('')}]`, 'g');
const LATIN = /[A-Za-z]/;

function foldConfusables(text: string): { text: string; mixed: boolean } {
  let mixed = false;
  const folded = text.replace(CONFUSABLE_CLASS, (ch, offset: number) => {
    // A lookalike next to a Latin letter is a disguise; a whole Cyrillic or Greek word is just text.
    if (!mixed && (LATIN.test(text[offset - 1] ?? '') || LATIN.test(text[offset + 1] ?? ''))) mixed = true;
    return CONFUSABLES[ch] ?? ch;
  });
  return { text: folded, mixed };
}

function decodeTags(text: string): string {
  let out = '';
  for (const m of text.matchAll(TAGS)) {
    const cp = (m[0].codePointAt(0) as number) - 0xe0000;
    if (cp >= 0x20 && cp < 0x7f) out += String.fromCharCode(cp);
  }
  return out;
}

/** True when `text` is printable ASCII (the common case that skips all Unicode work). */
export function isPlain(text: string): boolean {
  return PLAIN.test(text);
}

/**
 * Normalises a string for detection: strips zero-width and bidi controls and tag characters
 * (decoding any text hidden in tags), applies NFKC and folds Latin lookalikes. Plain ASCII returns
 * at once (`plain`, when the caller already knows, skips the check).
 */
export function normalize(text: string, plain?: boolean): Normalized {
  if (plain ?? PLAIN.test(text)) return { text, disguises: NONE };
  const disguises: string[] = [];
  let out = text;
  let hidden: string | undefined;
  if (TAGS.test(out)) {
    TAGS.lastIndex = 0;
    // A flag emoji (U+1F3F4 followed by tags) is the one legitimate use of tag characters.
    const withoutFlags = out.replace(/\u{1f3f4}[\u{e0020}-\u{e007f}]+/gu, '\u{1f3f4}');
    hidden = decodeTags(withoutFlags);
    if (hidden.length > 0) disguises.push('tags');
    out = withoutFlags.replace(TAGS, '');
  }
  TAGS.lastIndex = 0;
  const noBidi = out.replace(BIDI, '');
  if (noBidi !== out) disguises.push('bidi');
  const visible = noBidi.replace(INVISIBLE, '');
  // An emoji joiner between two non-Latin symbols is ordinary; inside a word it is a disguise.
  if (visible !== noBidi && /[A-Za-z0-9][\u00ad\u200b-\u200d\u2060-\u2064\ufeff]+[A-Za-z0-9]/.test(noBidi)) {
    disguises.push('invisible');
  }
  const nfkc = visible.normalize('NFKC');
  if (nfkc !== visible && /[\uff01-\uff5e\u{1d400}-\u{1d7ff}]/u.test(visible)) disguises.push('nfkc');
  const folded = foldConfusables(nfkc);
  if (folded.mixed) disguises.push('homoglyph');
  out = folded.text;
  return hidden !== undefined && hidden.length > 0
    ? { text: out, disguises, hidden }
    : { text: out, disguises };
}
