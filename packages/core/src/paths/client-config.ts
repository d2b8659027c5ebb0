/**
 * MCP client configuration files, recognised by principle: files that list the MCP servers a client
 * starts. Whoever can write one can remove the gate from in front of a server at the next start.
 */

// A file named for MCP (`mcp.json`, `.mcp.json`, `mcp_config.json`, `cline_mcp_settings.json`).
const MCP_NAMED = /(?:^|[._-])mcp(?:[._-][^/]*)?\.(?:json|jsonc|json5|toml|ya?ml)$/;
// The configuration of a desktop or CLI client that starts MCP servers.
const CLIENT_FILE = /^(?:claude_desktop_config\.json|\.claude\.json)$/;
const CLIENT_DIR =
  /(?:^|\/)(?:\.claude|\.gemini|\.codex|\.cursor|\.windsurf|\.codeium|\.continue|\.roo|\.kiro|\.amazonq|\.aider|claude|zed|goose)\/(?:[^/]+\/)*(?:settings[^/]*|config[^/]*|[^/]*mcp[^/]*)\.(?:json|jsonc|toml|ya?ml)$/;
/** A top-level server list in JSON (`"mcpServers":`, `"servers":` under `mcp`) or TOML (`[mcp_servers.x]`). */
const SERVER_LIST = /["']?(?:mcpServers|mcp_servers|context_servers)["']?\s*[:=]|^\s*\[mcp_servers[.\]]/m;

/**
 * True when a normalised path is an MCP client's configuration file.
 * @example
 * isClientConfig('/home/u/.cursor/mcp.json') // true
 */
export function isClientConfig(normalized: string): boolean {
  const p = normalized.toLowerCase();
  const base = p.slice(p.lastIndexOf('/') + 1);
  return MCP_NAMED.test(base) || CLIENT_FILE.test(base) || CLIENT_DIR.test(p);
}

/**
 * True when text written somewhere declares MCP servers (a client configuration in the making).
 * @example
 * declaresServers('{"mcpServers": {}}') // true
 */
export function declaresServers(text: string): boolean {
  return text.length < 1_000_000 && SERVER_LIST.test(text);
}
