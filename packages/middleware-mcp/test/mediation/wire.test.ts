import { ErrorCode, LayerCode } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import {
  deniedToolResult,
  errorResponse,
  JsonRpcError,
  jsonRpcCodeOf,
  MediationCode,
} from '../../src/mediation/wire.js';

describe('the JSON-RPC edge', () => {
  it('maps every core, layer and mediation code to a number, failures apart from denials', () => {
    for (const code of [
      ...Object.values(ErrorCode),
      ...Object.values(LayerCode),
      ...Object.values(MediationCode),
    ]) {
      expect(Number.isInteger(jsonRpcCodeOf(code))).toBe(true);
    }
    expect(jsonRpcCodeOf(ErrorCode.LayerThrew)).toBe(JsonRpcError.GateFailure);
    expect(jsonRpcCodeOf(ErrorCode.DeadlineExceeded)).toBe(JsonRpcError.RequestTimeout);
    expect(jsonRpcCodeOf(MediationCode.MethodUnclassified)).toBe(JsonRpcError.MethodNotFound);
    expect(jsonRpcCodeOf(LayerCode.RateLimited)).toBe(JsonRpcError.Busy);
    expect(jsonRpcCodeOf('a_layer_of_my_own')).toBe(JsonRpcError.Denied);
  });

  it('keeps the gate’s numbers out of the JSON-RPC reserved range except where the meaning is standard', () => {
    const standard = new Set([-32700, -32600, -32601, -32602, -32603]);
    for (const n of Object.values(JsonRpcError)) {
      expect(standard.has(n) || (n <= -32000 && n >= -32099)).toBe(true);
    }
  });

  it('writes errors with a null id when the id is unknown, and denials as tool results', () => {
    const refusal = { layer: 'mediation', code: MediationCode.BatchRefused, reason: 'no batches' };
    expect(errorResponse(null, refusal)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: JsonRpcError.InvalidRequest,
        message: 'governed-mcp refused the request: no batches',
        data: { governedMcp: { denied: true, ...refusal } },
      },
    });
    expect(deniedToolResult(3, refusal, false)).toEqual({
      jsonrpc: '2.0',
      id: 3,
      result: {
        content: [
          {
            type: 'text',
            text: "Denied by governed-mcp (layer 'mediation', code 'batch_refused'): no batches",
          },
        ],
        isError: true,
      },
    });
  });
});
