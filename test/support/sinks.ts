// Real servers the tests deliver to: an SMTP server (smtp-server) that keeps every message it accepts, an
// HTTP server that records each request (an SMS provider, a webhook receiver) and answers with whatever
// status the test asks for next, and imitations of Aliyun's and Tencent Cloud's SMS APIs that check
// signatures.
import { createHash, createHmac } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** Headers, lower-cased, of the message as received. */
  headers: Map<string, string>;
  body: string;
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/** Undoes quoted-printable, which nodemailer uses for HTML with long lines or non-ASCII text. */
function unQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

export function parseMail(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  let body = raw.slice(split + 4);
  const encoding = headers.get('content-transfer-encoding');
  if (encoding === 'quoted-printable') body = unQuotedPrintable(body);
  else if (encoding === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return { headers, body };
}

/** `beforeAccept` runs when a message has fully arrived, before the server answers 250 for it. */
export async function startSmtpSink(beforeAccept?: (mail: ReceivedMail) => Promise<void>): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          ...parseMail(raw),
        };
        mails.push(mail);
        void (beforeAccept?.(mail) ?? Promise.resolve()).then(() => callback(), callback);
      });
    },
  });
  // A sender killed mid-conversation resets its connections: that is the point, not a fault here.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpSink {
  url: string;
  requests: ReceivedRequest[];
  /** Statuses to answer the next requests with, in order; 200 once they run out. */
  failNext: number[];
  close(): Promise<void>;
}

/** An HTTP server on a free local port handing each request's whole body to `handle`. */
async function serveHttp(
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function startHttpSink(): Promise<HttpSink> {
  const requests: ReceivedRequest[] = [];
  const failNext: number[] = [];
  const server = await serveHttp((req, body, res) => {
    const status = failNext.shift() ?? 200;
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status < 300 }));
  });
  return { ...server, requests, failNext };
}

export interface AliyunSink {
  url: string;
  /** The parameters of each SendSms signed right with every field present, answered OK or not. */
  received: Record<string, string>[];
  /** Aliyun's answer to a number (as PhoneNumbers gives it), when not 'OK'. */
  answers: Map<string, string>;
  close(): Promise<void>;
}

/**
 * Aliyun's SMS API as far as a sender meets it: form-encoded SendSms requests, whose signature it checks
 * by its own reading of the documented rule (not the sender's code), answering JSON with a Code.
 */
export async function startAliyunSink(keys: { accessKeyId: string; secret: string }): Promise<AliyunSink> {
  const received: Record<string, string>[] = [];
  const answers = new Map<string, string>();
  const unreserved = /[A-Za-z0-9\-_.~]/;
  const encode = (text: string) =>
    [...Buffer.from(text, 'utf8')]
      .map((byte) => {
        const ch = String.fromCharCode(byte);
        return byte < 128 && unreserved.test(ch)
          ? ch
          : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      })
      .join('');
  const answer = (res: ServerResponse, status: number, code: string, message: string) =>
    res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(
        JSON.stringify({ Code: code, Message: message, RequestId: 'F655A8D5-B967-440B-8683-DAD6FF8DE990' }),
      );
  const server = await serveHttp((req, text, res) => {
    const params = Object.fromEntries(new URLSearchParams(text));
    const { Signature: signature, ...signed } = params;
    const query = Object.keys(signed)
      .sort()
      .map((k) => `${encode(k)}=${encode(signed[k]!)}`)
      .join('&');
    const expected = createHmac('sha1', `${keys.secret}&`)
      .update(`${req.method}&%2F&${encode(query)}`)
      .digest('base64');
    if (params.AccessKeyId !== keys.accessKeyId)
      return answer(res, 404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (signature !== expected)
      return answer(
        res,
        400,
        'SignatureDoesNotMatch',
        'Specified signature is not matched with our calculation.',
      );
    for (const field of ['Action', 'PhoneNumbers', 'SignName', 'TemplateCode', 'Timestamp', 'SignatureNonce'])
      if (!params[field])
        return answer(res, 400, 'MissingParameter', `${field} is mandatory for this action.`);
    received.push(params);
    const code = answers.get(params.PhoneNumbers!) ?? 'OK';
    // Aliyun answers a refused text with 200 and the reason's code.
    if (code !== 'OK') return answer(res, 200, code, `answered ${code} as the test asked`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        Code: 'OK',
        Message: 'OK',
        BizId: `90061974693649${received.length}`,
        RequestId: 'x',
      }),
    );
  });
  return { ...server, received, answers };
}

export interface TencentSink {
  url: string;
  /** The bodies of each SendSms signed right, answered Ok or not. */
  received: Record<string, unknown>[];
  /** Tencent's status code for a number (E.164, as PhoneNumberSet gives it), when not 'Ok'. */
  answers: Map<string, string>;
  /** The parts (Fee) Tencent bills a number's text as; 1 when not set. */
  fees: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Tencent Cloud's SMS API as far as a sender meets it: SendSms JSON posts whose TC3-HMAC-SHA256
 * signature it checks by its own reading of the documented steps, answering per number.
 */
export async function startTencentSink(keys: { secretId: string; secretKey: string }): Promise<TencentSink> {
  const received: Record<string, unknown>[] = [];
  const answers = new Map<string, string>();
  const fees = new Map<string, number>();
  const sha = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');
  const mac = (k: string | Buffer, t: string) => createHmac('sha256', k).update(t, 'utf8').digest();
  const server = await serveHttp((req, body, res) => {
    const reply = (response: object) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          JSON.stringify({ Response: { ...response, RequestId: 'a0aa0a0a-0a00-0a00-aa00-0a0a0a0a0a0a' } }),
        );
    const timestamp = Number(req.headers['x-tc-timestamp']);
    const day = new Date(timestamp * 1000).toISOString().slice(0, 10);
    const request = `POST\n/\n\ncontent-type:${req.headers['content-type']}\nhost:${req.headers.host}\n\ncontent-type;host\n${sha(body)}`;
    const toSign = `TC3-HMAC-SHA256\n${timestamp}\n${day}/sms/tc3_request\n${sha(request)}`;
    const key = mac(mac(mac(`TC3${keys.secretKey}`, day), 'sms'), 'tc3_request');
    const expected = `TC3-HMAC-SHA256 Credential=${keys.secretId}/${day}/sms/tc3_request, SignedHeaders=content-type;host, Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`;
    if (req.headers.authorization !== expected || req.headers['x-tc-action'] !== 'SendSms')
      return reply({
        Error: {
          Code: 'AuthFailure.SignatureFailure',
          Message: 'The provided credentials could not be validated.',
        },
      });
    const sent = JSON.parse(body) as { PhoneNumberSet: string[]; SessionContext?: string };
    received.push(sent);
    reply({
      SendStatusSet: sent.PhoneNumberSet.map((phone) => ({
        SerialNo: `2640:${received.length}`,
        PhoneNumber: phone,
        Fee: fees.get(phone) ?? 1,
        SessionContext: sent.SessionContext ?? '',
        Code: answers.get(phone) ?? 'Ok',
        Message: answers.has(phone) ? `answered ${answers.get(phone)} as the test asked` : 'send success',
        IsoCode: 'CN',
      })),
    });
  });
  return { ...server, received, answers, fees };
}
