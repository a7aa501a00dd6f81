/**
 * Reads the development outbox: without SMTP_URL the server writes every outgoing mail as
 * `${DATA_DIR}/mail/<unix-ms>-<uuid>.eml`. Mail for resend/forgot is sent asynchronously, so
 * `waitForMail` polls.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface Mail {
  file: string;
  /** Milliseconds from the file name (when the server wrote it). */
  sentAt: number;
  to: string;
  subject: string;
  /** Decoded text/plain part ('' when absent). */
  text: string;
  /** Decoded text/html part ('' when absent). */
  html: string;
  raw: string;
}

export function mailDir(): string {
  if (process.env.MAIL_DIR) return process.env.MAIL_DIR;
  const dataDir = process.env.DATA_DIR;
  if (!dataDir) {
    throw new Error('DATA_DIR is not set: the specs read mail from ${DATA_DIR}/mail/ (or set MAIL_DIR)');
  }
  return path.join(dataDir, 'mail');
}

/**
 * Waits (up to `timeoutMs`, default 10 s) for the newest mail written at or after `after`
 * (a `Date.now()` taken before the action that sends it) whose To: header contains `to` and
 * whose subject contains `subjectIncludes` (both case-insensitive).
 */
export async function waitForMail(
  to: string,
  subjectIncludes: string,
  after: number,
  timeoutMs = 10_000,
): Promise<Mail> {
  const dir = mailDir();
  const deadline = Date.now() + timeoutMs;
  const wantTo = to.toLowerCase();
  const wantSubject = subjectIncludes.toLowerCase();
  for (;;) {
    let names: string[] = [];
    try {
      names = await fs.readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const candidates = names
      .filter((n) => n.endsWith('.eml'))
      .map((n) => ({ n, ms: Number(n.split('-', 1)[0]) }))
      .filter(({ ms }) => Number.isFinite(ms) && ms >= after)
      // Names start with the millisecond time, then a v7 uuid: lexical order is send order
      // within a millisecond; sort by the number first so differing digit counts are safe.
      .sort((a, b) => b.ms - a.ms || (a.n < b.n ? 1 : a.n > b.n ? -1 : 0));
    for (const { n, ms } of candidates) {
      let raw: string;
      try {
        raw = await fs.readFile(path.join(dir, n), 'latin1');
      } catch {
        continue; // vanished or still being written
      }
      const mail = parseMail(raw, path.join(dir, n), ms);
      // The server writes the file in one go but not atomically: skip one caught half-written.
      if (mail && !isComplete(mail)) continue;
      if (mail && mail.to.toLowerCase().includes(wantTo) && mail.subject.toLowerCase().includes(wantSubject)) {
        return mail;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(
        `no mail to ${to} with subject containing "${subjectIncludes}" in ${dir} ` +
          `written after ${new Date(after).toISOString()} (waited ${timeoutMs} ms; ${names.length} files there)`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The six-digit verification code: from the subject, else from a line of its own in the body. */
export function codeFrom(mail: Mail): string {
  const inSubject = /code:\s*(\d{6})\b/i.exec(mail.subject);
  if (inSubject) return inSubject[1];
  const onLine = /^\s*(\d{6})\s*$/m.exec(mail.text) ?? /^\s*(\d{6})\s*$/m.exec(stripTags(mail.html));
  if (onLine) return onLine[1];
  throw new Error(`no verification code in ${mail.file}`);
}

/** The absolute reset link as mailed (its host comes from the server's PUBLIC_URL). */
export function resetLinkFrom(mail: Mail): string {
  const re = /https?:\/\/[^\s"'<>]+\/reset-password\?token=[A-Za-z0-9_\-%.=~]+/;
  const m = re.exec(mail.text) ?? re.exec(decodeEntities(mail.html));
  if (!m) throw new Error(`no reset link in ${mail.file}`);
  return m[0];
}

/**
 * The reset link's path and query, to open against the server under test whatever host
 * PUBLIC_URL names.
 */
export function resetPathFrom(mail: Mail): string {
  const u = new URL(resetLinkFrom(mail));
  return `${u.pathname}${u.search}`;
}

// ---------------------------------------------------------------------------------------------
// A small, defensive MIME reader: headers (unfolded, RFC 2047 words decoded), multipart bodies,
// 7bit/8bit/quoted-printable/base64 transfer encodings.

interface Part {
  headers: Map<string, string>;
  body: string;
}

function parseMail(raw: string, file: string, sentAt: number): Mail | null {
  const top = splitPart(raw);
  if (!top) return null;
  const leaves: Part[] = [];
  collectLeaves(top, leaves, 0);
  let text = '';
  let html = '';
  for (const p of leaves) {
    const type = (p.headers.get('content-type') ?? 'text/plain').toLowerCase();
    const decoded = decodeBody(p.body, p.headers.get('content-transfer-encoding'), charsetOf(type));
    if (type.startsWith('text/html')) html ||= decoded;
    else if (type.startsWith('text/plain') || !type.includes('/')) text ||= decoded;
  }
  return {
    file,
    sentAt,
    to: decodeWords(top.headers.get('to') ?? ''),
    subject: decodeWords(top.headers.get('subject') ?? ''),
    text,
    html,
    raw,
  };
}

function isComplete(mail: Mail): boolean {
  const top = splitPart(mail.raw);
  const type = top?.headers.get('content-type') ?? '';
  const b = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (!/^multipart\//i.test(type) || !b) return mail.raw.length > 0;
  return mail.raw.includes(`--${b[1] ?? b[2]}--`);
}

function splitPart(raw: string): Part | null {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers = new Map<string, string>();
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(i + 1).trim());
  }
  return headers.size ? { headers, body } : null;
}

function collectLeaves(p: Part, out: Part[], depth: number): void {
  const type = p.headers.get('content-type') ?? '';
  const b = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (!/^multipart\//i.test(type) || !b || depth > 5) {
    out.push(p);
    return;
  }
  const boundary = b[1] ?? b[2];
  const chunks = p.body.split(new RegExp(`^--${escapeRe(boundary)}(?:--)?[ \\t]*\\r?$`, 'm'));
  // chunks[0] is the preamble, the last one the epilogue after the closing delimiter.
  for (const chunk of chunks.slice(1)) {
    const trimmed = chunk.replace(/^\r?\n/, '');
    if (!trimmed.trim()) continue;
    const sub = splitPart(trimmed);
    if (sub) collectLeaves(sub, out, depth + 1);
  }
}

function charsetOf(contentType: string): BufferEncoding {
  const m = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  const cs = (m?.[1] ?? 'utf-8').toLowerCase();
  return cs === 'iso-8859-1' || cs === 'latin1' || cs === 'us-ascii' ? 'latin1' : 'utf8';
}

function decodeBody(body: string, cte: string | undefined, charset: BufferEncoding): string {
  const enc = (cte ?? '').trim().toLowerCase();
  if (enc === 'base64') {
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString(charset);
  }
  // The file was read as latin1 so each byte is one char; get the bytes back.
  let bytes = Buffer.from(body, 'latin1');
  // Declared quoted-printable, or (defensively) undeclared but carrying soft line breaks.
  if (enc === 'quoted-printable' || (!enc && /=\r?\n/.test(body))) {
    bytes = Buffer.from(decodeQuotedPrintable(body), 'latin1');
  }
  return bytes.toString(charset).replace(/\r\n/g, '\n').replace(/\n+$/, '\n');
}

/** Soft line breaks (`=\n`) removed and `=XX` turned back into bytes (returned as latin1 chars). */
function decodeQuotedPrintable(s: string): string {
  return s
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`). */
function decodeWords(s: string): string {
  return s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, cs: string, kind: string, data: string) => {
      const charset: BufferEncoding = /^(iso-8859-1|latin1|us-ascii)$/i.test(cs) ? 'latin1' : 'utf8';
      if (kind.toLowerCase() === 'b') return Buffer.from(data, 'base64').toString(charset);
      return Buffer.from(decodeQuotedPrintable(data.replace(/_/g, ' ')), 'latin1').toString(charset);
    });
}

function stripTags(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, '\n'));
}

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The absolute invitation link as mailed (`…/invitations/accept?token=…`). */
export function inviteLinkFrom(mail: Mail): string {
  const re = /https?:\/\/[^\s"'<>]+\/invitations\/accept\?token=[A-Za-z0-9_\-%.=~]+/;
  const m = re.exec(mail.text) ?? re.exec(decodeEntities(mail.html));
  if (!m) throw new Error(`no invitation link in ${mail.file}`);
  return m[0];
}

/** The invitation link's path and query, to open against the server under test. */
export function invitePathFrom(mail: Mail): string {
  const u = new URL(inviteLinkFrom(mail));
  return `${u.pathname}${u.search}`;
}
