import { type Detector, finding, patternDetector, type TextRole } from './detector.js';

const SHELL_ROLES: readonly TextRole[] = ['command', 'value', 'decoded'];

// Files and places that run code at login, boot or on a schedule, or grant remote login.
const PERSISTENCE_PLACES = String.raw`(?:authorized_keys2?|\.(?:bashrc|bash_profile|bash_login|zshrc|zprofile|zlogin|profile|kshrc|cshrc|tcshrc|xinitrc|xprofile)|/etc/(?:cron[\w./-]{0,60}|crontab|rc\.local|profile(?:\.d/[\w.-]{1,60})?|bash\.bashrc|environment|ld\.so\.preload|init\.d/[\w.-]{1,60}|systemd/system/[\w@.-]{1,80})|/var/spool/cron[\w/.-]{0,60}|\.config/(?:autostart|systemd/user)/[\w.@-]{1,80}|library/launch(?:agents|daemons)/[\w.-]{1,120}|\\microsoft\\windows\\start menu\\programs\\startup)`;
const PERSISTENCE_PATH = new RegExp(`${PERSISTENCE_PLACES}$`);

const PERSISTENCE = patternDetector('persistence', SHELL_ROLES, [
  {
    code: 'startup_file_write',
    re: new RegExp(
      String.raw`(?:>>?|\btee\b(?:\s+-a)?|\b(?:cp|mv|ln\s+-s)\b[^\n;|]{0,200}\s)\s*["']?[^\s"';|>]{0,200}${PERSISTENCE_PLACES}`,
    ),
  },
  {
    code: 'crontab_install',
    re: /\|\s{0,4}crontab\s+-(?:\s|$)|\bcrontab\s+(?:-u\s+\S+\s+)?-(?:e\b|\s|$)|\(crontab\s+-l[^\n]{0,200}\)\s*\|\s*crontab\b/,
  },
  {
    code: 'service_enable',
    re: /\bsystemctl\s+(?:--user\s+)?(?:enable|daemon-reload\s*&&\s*systemctl\s+enable)\b|\bupdate-rc\.d\s+\S+\s+(?:defaults|enable)\b|\blaunchctl\s+(?:load|bootstrap)\b/,
  },
  {
    code: 'windows_autostart',
    re: /\bschtasks(?:\.exe)?\s+\/create\b|\breg(?:\.exe)?\s+add\s+["']?hk(?:cu|lm|ey_current_user|ey_local_machine)\\[^\n]{0,200}\\currentversion\\run(?:once)?\b|\bnew-itemproperty\b[^\n]{0,200}\\currentversion\\run\b/,
  },
]);

/**
 * `persistence`: writes that make code survive a logout or reboot (cron, rc files, authorized_keys,
 * systemd units, autostart entries), in a command, or as the path a writing tool is handed.
 */
export const persistenceDetector: Detector = {
  id: 'persistence',
  roles: SHELL_ROLES,
  scan(t, call, out) {
    const before = out.length;
    PERSISTENCE.scan(t, call, out);
    if (out.length > before || !call.writes || !t.whole) return;
    const path = t.lower.trim();
    if (path.length < 256 && !/\s/.test(path.replace(/ menu\\| menu\//g, '')) && !path.includes('\n')) {
      const m = PERSISTENCE_PATH.exec(path);
      if (m !== null) out.push(finding('persistence', 'startup_path_write', t, m.index, m[0].length));
    }
  },
};

/** `privilege-change`: setuid bits, sudoers edits, joining admin groups, root shells, container escapes. */
export const privilegeDetector = patternDetector('privilege-change', SHELL_ROLES, [
  { code: 'setuid', re: /\bchmod\s+(?:-[a-z]+\s+)?(?:[ugoa]{0,3}\+[rwxt]{0,3}s|[246][0-7]{3})\s/ },
  {
    code: 'sudoers_edit',
    re: /\bnopasswd\s*:|(?:>>?|\btee\b(?:\s+-a)?)\s*["']?\/etc\/sudoers(?:\.d\/\S{0,60})?|\bvisudo\b/,
  },
  {
    code: 'admin_group',
    re: /\busermod\s[^\n;|]{0,60}-a?g\s*["']?(?:sudo|wheel|admin|root|docker)\b|\b(?:adduser|gpasswd\s+-a)\s+\S{1,64}\s+(?:sudo|wheel|admin|docker)\b|\bnet\s+localgroup\s+administrators\s+\S{1,64}\s+\/add\b/,
  },
  {
    code: 'root_shell',
    re: /\bsudo\s+(?:-[a-z]*[is]\b|su\b|(?:\/bin\/)?(?:ba|z)?sh\b)|\bsu\s+(?:-\s+)?root\b|\brunas\s+\/user:(?:administrator|system)\b/,
  },
  {
    code: 'capability_grant',
    re: /\bsetcap\s[^\n;|]{0,100}cap_(?:setuid|setgid|sys_admin|sys_ptrace|dac_override|dac_read_search)\b/,
  },
  {
    code: 'credential_change',
    re: /\bpasswd\s+root\b|\bchpasswd\b|(?:>>?|\btee\b(?:\s+-a)?)\s*["']?\/etc\/(?:passwd|shadow|group)\b/,
  },
  {
    code: 'container_escape',
    re: /\bdocker\s+run\s[^\n;|]{0,200}(?:--privileged|-v\s+\/:\/|--volume[= ]\/:\/|--pid[= ]host)|\bnsenter\s[^\n;|]{0,60}-t\s+1\b/,
  },
]);

/** Detectors that read shell-ish text about the host itself. */
export const HOST_DETECTORS: readonly Detector[] = [persistenceDetector, privilegeDetector];
