// The literal pre-check lives in core beside the glob engine that uses it; the policy's regular
// expressions share it from there.
export { literalMatcher } from '@governed-mcp/core';
