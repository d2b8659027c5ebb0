import type { Detector } from './detector.js';
import { structuralDetector } from './shell/detector.js';

// Shell text is judged on its parsed structure (shell/): what is fetched, what runs, what is written
// where and what leaves the machine. The patterns left here read PowerShell and cmd.exe text, which the
// shell grammar does not parse; each is linear (bounded gaps, no nested quantifiers).

/** `fetch-exec`: content fetched from the network (or decoded) reaching something that runs it. */
export const fetchExecDetector: Detector = structuralDetector('fetch-exec', {
  also: ['credential'],
  reportsRefusal: true,
  residual: [
    {
      code: 'powershell_download_exec',
      re: /\b(?:iex|invoke-expression)\b[^\n;|]{0,40}(?:new-object\s+(?:system\.)?net\.webclient|iwr|irm|invoke-webrequest|invoke-restmethod|downloadstring)|downloadstring\s*\(\s*["']https?:|\b(?:iwr|irm|invoke-webrequest|invoke-restmethod)\b[^\n;|]{0,300}\|\s{0,8}(?:iex|invoke-expression)\b|\b(?:powershell|pwsh)(?:\.exe)?\b[^\n|;]{0,80}\s-(?:e|ec|enc|encodedcommand)\s+[a-z0-9+/=]{20,}/,
    },
  ],
});

/** `reverse-shell`: a shell wired to a network connection. */
export const reverseShellDetector: Detector = structuralDetector('reverse-shell', {
  residual: [{ code: 'powershell_tcp', re: /net\.sockets\.tcpclient\s*\(/ }],
});

/** `destructive-command`: wiping the root, a system or home directory, a disk, or the process table. */
export const destructiveDetector: Detector = structuralDetector('destructive-command', {
  residual: [
    {
      code: 'windows_wipe',
      re: /\b(?:del|erase)\s+(?:\/[a-z]\s+){1,4}[a-z]:\\(?:\*|\s|$)|\b(?:rd|rmdir)\s+\/s\s+\/q\s+[a-z]:\\(?:\s|$|windows)|\bremove-item\b[^\n]{0,100}-recurse[^\n]{0,100}\s[a-z]:\\(?:\*|\s|$|windows)|\bformat(?:\.com)?\s+[a-z]:(?:\s|$)/,
    },
  ],
});
