/**
 * ReportArchive on S3 (official @aws-sdk/client-s3, PutObject). Keys:
 *
 *   reports/<period>/<generatedAt>/report.html   text/html, the self-contained page
 *   reports/<period>/<generatedAt>/report.json   application/json, format egress-watch.report.v1
 *   reports/<period>/<generatedAt>/slack.json    the Block Kit summary as posted
 *   reports/<period>/latest.html | latest.json   the newest report of the period
 *
 * Objects are written with server-side encryption (SSE-S3, `AES256`) even though the bucket's default
 * encryption also applies; the bucket's lifecycle rule expires them (serverless.yml).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Report } from '../domain/report-schema.js';
import type { SlackMessage } from '../domain/report-slack.js';
import type { ReportArchive, StoredReport } from '../report-ports.js';

export interface S3ReportArchiveOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix, default `reports/`. */
  prefix?: string;
}

/** Stores each report's HTML, JSON and Slack blocks under its period and generation time. */
export class S3ReportArchive implements ReportArchive {
  private readonly prefix: string;

  constructor(private readonly options: S3ReportArchiveOptions) {
    this.prefix = options.prefix ?? 'reports/';
  }

  async store(report: Report, outputs: { html: string; json: string; slack: SlackMessage }): Promise<StoredReport> {
    const base = `${this.prefix}${report.period}/${report.generatedAt.replace(/[:.]/g, '-')}/`;
    const keys = { htmlKey: `${base}report.html`, jsonKey: `${base}report.json`, slackKey: `${base}slack.json` };
    const html = { body: outputs.html, type: 'text/html; charset=utf-8' };
    const json = { body: outputs.json, type: 'application/json' };
    await Promise.all([
      this.put(keys.htmlKey, html),
      this.put(keys.jsonKey, json),
      this.put(keys.slackKey, { body: `${JSON.stringify(outputs.slack, null, 2)}\n`, type: 'application/json' }),
    ]);
    await Promise.all([
      this.put(`${this.prefix}${report.period}/latest.html`, html),
      this.put(`${this.prefix}${report.period}/latest.json`, json),
    ]);
    return { bucket: this.options.bucket, ...keys };
  }

  private async put(key: string, object: { body: string; type: string }): Promise<void> {
    await this.options.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: key,
        Body: object.body,
        ContentType: object.type,
        ServerSideEncryption: 'AES256',
        CacheControl: 'no-cache',
      }),
    );
  }
}
