'use strict';
// Multipart uploads, the way the S3 API reference documents them
// (CreateMultipartUpload, UploadPart, ListParts, CompleteMultipartUpload,
// AbortMultipartUpload). s3rver 3.7.1 has no ListParts or Abort, refuses no
// small or unknown part and makes its own ETags, so devs3 keeps uploads
// itself, under <dir>/.devs3-multipart/<uploadId>/, and only hands the
// assembled object to s3rver's store at complete. Requests reach here after
// server.js checked their signature and payload hash.

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { once } = require('events');
const { PassThrough } = require('stream');

const MIN_PART = 5 * 1024 * 1024; // every part but the last (EntityTooSmall)
const MAX_PART_NUMBER = 10000;
const MAX_LIST_PARTS = 1000;
const MAX_COMPLETE_BODY = 1024 * 1024;
const KEEPALIVE_MS = 2000; // whitespace while a complete assembles, as S3 does
const STORED_METADATA = ['cache-control', 'content-disposition', 'content-encoding',
  'content-language', 'content-type', 'expires'];
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const xmlText = s => String(s).replace(/[<>&"]/g,
  c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' }[c]));
const xmlDecode = s => s.replace(/&(quot|amp|lt|gt|apos|#\d+|#x[0-9a-fA-F]+);/g, (m, e) => {
  const named = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" }[e];
  if (named) return named;
  return String.fromCharCode(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
});
const unquote = etag => etag.trim().replace(/^"(.*)"$/, '$1');

/* The multipart ETag: MD5 of the parts' binary MD5s, a dash, the part count. */
function multipartEtag(md5s) {
  const h = crypto.createHash('md5');
  for (const m of md5s) h.update(Buffer.from(m, 'hex'));
  return `${h.digest('hex')}-${md5s.length}`;
}

/* The parts of a CompleteMultipartUpload body, in the order given; null when malformed. */
function parseCompleteXml(text) {
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<CompleteMultipartUpload(?:\s[^>]*)?>([\s\S]*)<\/CompleteMultipartUpload>\s*$/.exec(text);
  if (!root) return null;
  const parts = [];
  const rest = root[1].replace(/<Part>([\s\S]*?)<\/Part>/g, (m, inner) => {
    const num = /<PartNumber>\s*(\d{1,5})\s*<\/PartNumber>/.exec(inner);
    const etag = /<ETag>([^<]*)<\/ETag>/.exec(inner);
    parts.push(num && etag ? { number: Number(num[1]), etag: unquote(xmlDecode(etag[1])) } : null);
    return '';
  });
  if (rest.trim() !== '' || parts.length === 0 || parts.includes(null)) return null;
  return parts;
}

class Multipart {
  /* dir: where uploads live; store: s3rver's store; S3Err: server.js's error type. */
  constructor({ dir, store, buckets, S3Err }) {
    this.dir = dir;
    this.store = store;
    this.buckets = buckets;
    this.S3Err = S3Err;
    this.completing = new Set();
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /* Which multipart operation a request is, or null. */
  static operation(method, r) {
    if (!r.key) return null;
    if ('uploads' in r.q && method === 'POST') return 'create';
    if (!('uploadId' in r.q)) return null;
    return { PUT: 'uploadPart', GET: 'listParts', POST: 'complete', DELETE: 'abort' }[method] || null;
  }

  noSuchUpload(uploadId) {
    return new this.S3Err(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ' +
      'ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId });
  }

  /* The upload's directory and record; NoSuchUpload unless it is this bucket's and key's. */
  load(r) {
    const id = r.q.uploadId;
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(id || '')) throw this.noSuchUpload(id || '');
    const dir = path.join(this.dir, id);
    let rec;
    try {
      rec = JSON.parse(fs.readFileSync(path.join(dir, 'upload.json'), 'utf8'));
    } catch {
      throw this.noSuchUpload(id);
    }
    if (rec.bucket !== r.bucket || rec.key !== r.key) throw this.noSuchUpload(id);
    return { id, dir, rec };
  }

  parts(dir) {
    return fs.readdirSync(dir).filter(f => /^\d+\.json$/.test(f))
      .map(f => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
      .sort((a, b) => a.number - b.number);
  }

  async handle(op, req, res, ctx, r, body) {
    if (!this.buckets.includes(r.bucket)) {
      throw new this.S3Err(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: r.bucket });
    }
    return this[op](req, res, ctx, r, body);
  }

  sendXml(res, status, xml) {
    const b = '<?xml version="1.0" encoding="UTF-8"?>\n' + xml;
    res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(b) });
    res.end(b);
  }

  create(req, res, ctx, r) {
    const id = crypto.randomBytes(36).toString('base64url');
    const metadata = { 'content-type': 'binary/octet-stream' };
    for (const [name, value] of Object.entries(req.headers)) {
      if (STORED_METADATA.includes(name) || name.startsWith('x-amz-meta-')) metadata[name] = value;
    }
    const dir = path.join(this.dir, id);
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'upload.json'), JSON.stringify({
      bucket: r.bucket, key: r.key, initiated: new Date().toISOString(), metadata,
    }));
    this.sendXml(res, 200, `<InitiateMultipartUploadResult xmlns="${NS}"><Bucket>${xmlText(r.bucket)}</Bucket>` +
      `<Key>${xmlText(r.key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
  }

  async uploadPart(req, res, ctx, r, body) {
    if (req.headers['x-amz-copy-source'] !== undefined) {
      throw new this.S3Err(501, 'NotImplemented', 'devs3 does not implement UploadPartCopy.');
    }
    const pn = r.q.partNumber;
    if (!/^\d{1,5}$/.test(pn || '') || Number(pn) < 1 || Number(pn) > MAX_PART_NUMBER) {
      throw new this.S3Err(400, 'InvalidArgument', 'Part number must be an integer between 1 and ' +
        '10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: pn ?? '' });
    }
    const { dir } = this.load(r);
    const number = Number(pn);
    const file = path.join(dir, String(number));
    const size = body ? body.size : 0;
    const md5 = body ? body.md5 : crypto.createHash('md5').digest('hex');
    if (body) await fs.promises.copyFile(body.file, file + '.tmp');
    else fs.writeFileSync(file + '.tmp', '');
    fs.renameSync(file + '.tmp', file);
    fs.writeFileSync(path.join(dir, `${number}.json`), JSON.stringify({
      number, size, etag: md5, lastModified: new Date().toISOString(),
    }));
    res.writeHead(200, { ETag: `"${md5}"`, 'Content-Length': 0 });
    res.end();
  }

  listParts(req, res, ctx, r) {
    const { id, dir } = this.load(r);
    const arg = (name, def, max) => {
      const v = r.q[name];
      if (v === undefined) return def;
      if (!/^\d{1,9}$/.test(v)) {
        throw new this.S3Err(400, 'InvalidArgument', `Provided ${name} not an integer or within ` +
          'integer range', { ArgumentName: name, ArgumentValue: v });
      }
      return Math.min(Number(v), max); // S3 caps max-parts at 1000
    };
    const maxParts = arg('max-parts', MAX_LIST_PARTS, MAX_LIST_PARTS);
    const marker = arg('part-number-marker', 0, MAX_PART_NUMBER);
    const after = this.parts(dir).filter(p => p.number > marker);
    const page = after.slice(0, maxParts);
    const truncated = after.length > page.length;
    const next = page.length ? page[page.length - 1].number : 0;
    const owner = '<ID>devs3</ID><DisplayName>devs3</DisplayName>';
    this.sendXml(res, 200, `<ListPartsResult xmlns="${NS}"><Bucket>${xmlText(r.bucket)}</Bucket>` +
      `<Key>${xmlText(r.key)}</Key><UploadId>${id}</UploadId>` +
      `<Initiator>${owner}</Initiator><Owner>${owner}</Owner><StorageClass>STANDARD</StorageClass>` +
      `<PartNumberMarker>${marker}</PartNumberMarker><NextPartNumberMarker>${next}</NextPartNumberMarker>` +
      `<MaxParts>${maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated>` +
      page.map(p => `<Part><PartNumber>${p.number}</PartNumber><LastModified>${p.lastModified}` +
        `</LastModified><ETag>&quot;${p.etag}&quot;</ETag><Size>${p.size}</Size></Part>`).join('') +
      '</ListPartsResult>');
  }

  abort(req, res, ctx, r) {
    const { id, dir } = this.load(r);
    if (this.completing.has(id)) throw this.conflict();
    fs.rmSync(dir, { recursive: true, force: true });
    res.writeHead(204);
    res.end();
  }

  conflict() {
    return new this.S3Err(409, 'OperationAborted', 'A conflicting conditional operation is currently ' +
      'in progress against this resource. Please try again.');
  }

  /* The parts a complete names, checked as S3 does; the stored records in order. */
  checkComplete(id, dir, given) {
    const stored = new Map(this.parts(dir).map(p => [p.number, p]));
    const used = [];
    for (let i = 0; i < given.length; i++) {
      const g = given[i];
      if (i > 0 && g.number <= given[i - 1].number) {
        throw new this.S3Err(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. ' +
          'The parts list must be specified in order by part number.', { UploadId: id });
      }
      const p = stored.get(g.number);
      if (!p || p.etag !== g.etag) {
        throw new this.S3Err(400, 'InvalidPart', 'One or more of the specified parts could not be ' +
          "found.  The part may not have been uploaded, or the specified entity tag may not match " +
          "the part's entity tag.", { UploadId: id, PartNumber: g.number, ETag: g.etag });
      }
      used.push(p);
    }
    for (let i = 0; i < used.length - 1; i++) {
      if (used[i].size < MIN_PART) {
        throw new this.S3Err(400, 'EntityTooSmall', 'Your proposed upload is smaller than the ' +
          'minimum allowed size', {
          ProposedSize: used[i].size, MinSizeAllowed: MIN_PART, PartNumber: used[i].number,
          ETag: used[i].etag,
        });
      }
    }
    return used;
  }

  async complete(req, res, ctx, r, body) {
    const { id, dir, rec } = this.load(r);
    if (body && body.size > MAX_COMPLETE_BODY) {
      throw new this.S3Err(400, 'MalformedXML', 'The XML you provided was too large.');
    }
    const given = parseCompleteXml(body ? fs.readFileSync(body.file, 'utf8') : '');
    if (!given) {
      throw new this.S3Err(400, 'MalformedXML', 'The XML you provided was not well-formed or did ' +
        'not validate against our published schema');
    }
    if (this.completing.has(id)) throw this.conflict();
    const used = this.checkComplete(id, dir, given);
    this.completing.add(id);
    // As S3: 200 at once, whitespace while the object is put together, then
    // the result, or an <Error> in the body of that 200.
    res.writeHead(200, { 'Content-Type': 'application/xml' });
    res.write('<?xml version="1.0" encoding="UTF-8"?>\n');
    const keepalive = setInterval(() => res.write(' '), KEEPALIVE_MS);
    try {
      const etag = multipartEtag(used.map(p => p.etag));
      const content = new PassThrough();
      const put = this.store.putObject({ bucket: r.bucket, key: r.key, metadata: rec.metadata, content });
      const feed = (async () => {
        for (const p of used) {
          for await (const chunk of fs.createReadStream(path.join(dir, String(p.number)))) {
            if (!content.write(chunk)) await once(content, 'drain');
          }
        }
        content.end();
      })();
      await Promise.all([put, feed]);
      await this.store.putMetadata(r.bucket, r.key, rec.metadata, etag);
      fs.rmSync(dir, { recursive: true, force: true });
      res.end(`<CompleteMultipartUploadResult xmlns="${NS}"><Location>/${xmlText(r.bucket)}/` +
        `${xmlText(r.key)}</Location><Bucket>${xmlText(r.bucket)}</Bucket><Key>${xmlText(r.key)}</Key>` +
        `<ETag>&quot;${etag}&quot;</ETag></CompleteMultipartUploadResult>`);
    } catch (err) {
      console.error('devs3: complete failed:', err);
      ctx.code = 'InternalError';
      res.end('<Error><Code>InternalError</Code><Message>We encountered an internal error. ' +
        `Please try again.</Message><RequestId>${ctx.requestId}</RequestId><HostId>devs3</HostId></Error>`);
    } finally {
      clearInterval(keepalive);
      this.completing.delete(id);
    }
  }
}

module.exports = { Multipart, multipartEtag, parseCompleteXml, MIN_PART };
