// A real SMTP server on loopback (smtp-server) that records what it receives and can misbehave
// on cue: answer 4xx/5xx, or drop the connection after the message body, before its reply.
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
// mailparser is pinned to 3.9.8: newer 3.x need @zone-eu/mailsplit versions this registry lacks.
import { simpleParser, type ParsedMail } from 'mailparser';

export interface Received {
  envelopeTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

export type Verdict = 'ok' | 'drop' | { code: number; message: string };

export interface SinkOptions {
  /** Decides the reply to a message body (called once per message received). */
  onMessage?: (rcpt: string[], n: number) => Verdict;
  /** Recipients refused at RCPT TO with this code. */
  refuse?: Record<string, number>;
}

export class SmtpSink {
  readonly received: Received[] = [];
  /** Messages whose body arrived, including those answered with an error or dropped. */
  readonly bodies: { rcpt: string[]; messageId: string | undefined; verdict: Verdict }[] = [];
  readonly rcptRefusals: string[] = [];
  private server: SMTPServer;
  port = 0;

  constructor(private readonly opts: SinkOptions = {}) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 50 * 1024 * 1024,
      onRcptTo: (address: SMTPServerAddress, _session, cb) => {
        const code = this.opts.refuse?.[address.address];
        if (code) {
          this.rcptRefusals.push(address.address);
          const err = new Error(`mailbox ${address.address} unavailable`) as Error & { responseCode: number };
          err.responseCode = code;
          return cb(err);
        }
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          const raw = Buffer.concat(chunks);
          const rcpt = session.envelope.rcptTo.map((r) => r.address);
          const parsed = await simpleParser(raw);
          const verdict = this.opts.onMessage?.(rcpt, this.bodies.length) ?? 'ok';
          this.bodies.push({ rcpt, messageId: parsed.messageId, verdict });
          if (verdict === 'drop') {
            // The body is here; the client never hears back.
            for (const c of (this.server as unknown as { connections: Set<{ _socket: { destroy(): void } }> }).connections) c._socket.destroy();
            return;
          }
          if (verdict !== 'ok') {
            const err = new Error(verdict.message) as Error & { responseCode: number };
            err.responseCode = verdict.code;
            return cb(err);
          }
          this.received.push({ envelopeTo: rcpt, raw, parsed });
          cb(null, 'OK queued');
        });
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as { port: number }).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
