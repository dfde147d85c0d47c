import { describe, expect, it } from 'vitest';
import { aliyunPhone, aliyunSignature, percentEncode, sendAliyunSms } from './aliyun.js';
import { notApproved } from './channels.js';

describe('Aliyun request signing', () => {
  it("reproduces the worked example of Aliyun's RPC signature documentation", () => {
    const params = {
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      Format: 'XML',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      SignatureVersion: '1.0',
      Timestamp: '2016-02-23T12:46:24Z',
      Version: '2014-05-26',
    };
    expect(aliyunSignature('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it("reproduces SMS's own SendSms example, with a Chinese signature and a JSON variable", () => {
    const params = {
      AccessKeyId: 'testId',
      Action: 'SendSms',
      Format: 'XML',
      OutId: '123',
      PhoneNumbers: '15300000001',
      RegionId: 'cn-hangzhou',
      SignName: '阿里云短信测试专用',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}',
      Timestamp: '2017-07-12T02:42:19Z',
      Version: '2017-05-25',
    };
    expect(aliyunSignature('GET', params, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
    // The method is signed too.
    expect(aliyunSignature('POST', params, 'testSecret')).not.toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  it('encodes all but the unreserved characters, spaces as %20', () => {
    expect(percentEncode("a b*c~d-e_f.g!h'i(j)k")).toBe('a%20b%2Ac~d-e_f.g%21h%27i%28j%29k');
    expect(percentEncode('派/=&+')).toBe('%E6%B4%BE%2F%3D%26%2B');
  });

  it('writes a mainland number without its country code and any other with it', () => {
    expect(aliyunPhone('+8613800138000')).toBe('13800138000');
    expect(aliyunPhone('+85291234567')).toBe('85291234567');
  });

  it('sends nothing for a message without an approved template, and says so for good', async () => {
    const settings = {
      provider: 'aliyun' as const,
      accessKeyId: 'LTAI5tUnit',
      accessKeySecret: 'unit-secret',
      signName: '莲花护肤',
      regionId: 'cn-hangzhou',
      // Nothing listens here: a request would fail with a retry, not with the reason below.
      baseUrl: 'http://127.0.0.1:9',
    };
    const outcome = await sendAliyunSms(settings, {
      messageId: '0191d3b2-0000-7000-8000-000000000001',
      to: '+8613800138000',
      providerTemplate: null,
    });
    expect(outcome).toEqual({ ok: false, retry: false, reason: notApproved('Aliyun') });
  });
});
