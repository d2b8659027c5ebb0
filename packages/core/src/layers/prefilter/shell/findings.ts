/** One result of the shell analysis: the detector it belongs to, a finer code, and the text it is about. */
export interface ShellFinding {
  readonly detector: string;
  readonly code: string;
  readonly match: string;
}

/** Collects findings, one per detector and code. */
export class ShellFindings {
  readonly list: ShellFinding[] = [];

  /** Adds a finding unless the same detector and code were reported already. */
  add(detector: string, code: string, match: string): void {
    if (this.list.some((f) => f.detector === detector && f.code === code)) return;
    this.list.push({ detector, code, match: match.slice(0, 120) });
  }
}
