// Node-only public API of @governed-mcp/core: the audit file sink and the streaming verifier.
export {};
