import { describe, expect, it } from 'vitest';
import { numberedParams, tc3Authorization } from './tencent.js';

describe('Tencent Cloud request signing', () => {
  it("reproduces the worked example of Tencent Cloud's TC3-HMAC-SHA256 documentation", () => {
    const authorization = tc3Authorization({
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
      service: 'cvm',
      host: 'cvm.tencentcloudapi.com',
      timestamp: 1551113065,
      contentType: 'application/json; charset=utf-8',
      payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
    });
    expect(authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });

  it('takes variables numbered 1 … n in order, and nothing else', () => {
    expect(numberedParams({ '2': 'b', '1': 'a' })).toEqual(['a', 'b']);
    expect(numberedParams({})).toEqual([]);
    expect(numberedParams({ '1': 'a', '3': 'c' })).toBeNull();
    expect(numberedParams({ name: 'a' })).toBeNull();
  });
});
