import { classifyPath } from '../../paths/classify.js';
import { type Detector, finding } from './detector.js';
import { structuralDetector } from './shell/detector.js';

const PERSISTENCE = structuralDetector('persistence', {
  residual: [
    {
      code: 'windows_autostart',
      re: /\bschtasks(?:\.exe)?\s+\/create\b|\breg(?:\.exe)?\s+add\s+["']?hk(?:cu|lm|ey_current_user|ey_local_machine)\\[^\n]{0,200}\\currentversion\\run(?:once)?\b|\bnew-itemproperty\b[^\n]{0,200}\\currentversion\\run\b/,
    },
  ],
});

/**
 * `persistence`: writes that make code survive a logout or reboot (rc files, cron, services,
 * autostart entries, global git hooks), in a command, or as the path a writing tool is handed.
 */
export const persistenceDetector: Detector = {
  id: 'persistence',
  roles: PERSISTENCE.roles,
  scan(t, call, out) {
    const before = out.length;
    PERSISTENCE.scan(t, call, out);
    if (out.length > before || !call.writes || !t.whole) return;
    const path = t.text.trim();
    if (
      path.length < 256 &&
      !path.includes('\n') &&
      classifyPath(path)?.classes.includes('code-loading') === true
    ) {
      out.push(finding('persistence', 'startup_path_write', t, 0, path.length));
    }
  },
};

/** `privilege-change`: sudo and its kin, setuid bits, root ownership, capabilities, account files. */
export const privilegeDetector: Detector = structuralDetector('privilege-change', {
  residual: [
    {
      code: 'windows_admin',
      re: /\bnet\s+localgroup\s+administrators\s+\S{1,64}\s+\/add\b|\brunas\s+\/user:(?:administrator|system)\b/,
    },
  ],
});

/** Detectors that read shell-ish text about the host itself. */
export const HOST_DETECTORS: readonly Detector[] = [persistenceDetector, privilegeDetector];
