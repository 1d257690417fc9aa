'use strict';
/*
 * CORS for devs3, from one rule in the shape of an S3 CORSRule (the JSON that
 * `aws s3api put-bucket-cors` takes), applied to every bucket:
 *   { "AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD", "PUT", "POST"],
 *     "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000 }
 * Written from the S3 docs ("Using cross-origin resource sharing (CORS)" and
 * "How does Amazon S3 evaluate the CORS configuration"): an origin or header
 * pattern may hold one '*'; a preflight matches when the origin, the requested
 * method and every requested header are allowed. s3rver's own CORS needs a
 * bucket configuration we do not give it, so it adds nothing.
 */

const DEFAULT_RULE = Object.freeze({
  AllowedOrigins: ['*'],
  AllowedMethods: ['GET', 'HEAD', 'PUT', 'POST'],
  AllowedHeaders: ['*'],
  ExposeHeaders: ['ETag'],
  MaxAgeSeconds: 3000,
});
const METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

/* "http://*.example.com" -> /^http:\/\/.*\.example\.com$/ (flags: 'i' for headers) */
function wildcard(pattern, flags = '') {
  const esc = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp('^' + pattern.split('*').map(esc).join('.*') + '$', flags);
}

/* Validate a rule (an object); throws Error with a sentence on a bad one. */
function checkRule(rule) {
  const list = (name, required) => {
    const v = rule[name];
    if (v === undefined && !required) return [];
    if (!Array.isArray(v) || !v.every(s => typeof s === 'string' && s !== '') || (required && !v.length)) {
      throw new Error(`CORS rule: ${name} must be a${required ? ' non-empty' : 'n'} array of strings`);
    }
    return v;
  };
  if (!rule || typeof rule !== 'object' || Array.isArray(rule)) throw new Error('CORS rule: not a JSON object');
  for (const k of Object.keys(rule)) {
    if (!['AllowedOrigins', 'AllowedMethods', 'AllowedHeaders', 'ExposeHeaders', 'MaxAgeSeconds', 'ID'].includes(k)) {
      throw new Error(`CORS rule: unknown field ${k}`);
    }
  }
  const origins = list('AllowedOrigins', true);
  const methods = list('AllowedMethods', true);
  const headers = list('AllowedHeaders', false);
  const expose = list('ExposeHeaders', false);
  for (const m of methods) {
    if (!METHODS.has(m)) throw new Error(`CORS rule: AllowedMethods: ${m} is not GET, HEAD, PUT, POST or DELETE`);
  }
  for (const p of [...origins, ...headers]) {
    if (p.split('*').length > 2) throw new Error(`CORS rule: "${p}" has more than one '*'`);
  }
  const maxAge = rule.MaxAgeSeconds;
  if (maxAge !== undefined && !(Number.isInteger(maxAge) && maxAge >= 0)) {
    throw new Error('CORS rule: MaxAgeSeconds must be a whole number of seconds');
  }
  return { origins, methods, headers, expose, maxAge };
}

class Cors {
  /* rule: a CORSRule object, or null for no CORS (every preflight refused) */
  constructor(rule) {
    this.rule = rule === null ? null : checkRule(rule);
    if (!this.rule) return;
    this.originRes = this.rule.origins.map(p => ({ any: p === '*', re: wildcard(p) }));
    this.headerRes = this.rule.headers.map(p => wildcard(p.toLowerCase(), 'i'));
  }

  /* Parse the --cors-rule value: JSON, "default", or "none". */
  static fromOption(value) {
    if (value === undefined || value === 'default') return new Cors(DEFAULT_RULE);
    if (value === 'none') return new Cors(null);
    let rule;
    try {
      rule = JSON.parse(value);
    } catch {
      throw new Error('CORS rule: not valid JSON');
    }
    return new Cors(rule);
  }

  /* The origin pattern that allows origin and method, or null. */
  match(origin, method) {
    if (!this.rule || !origin || !this.rule.methods.includes(method)) return null;
    return this.originRes.find(o => o.re.test(origin)) || null;
  }

  /* Headers S3 adds to a response for this origin and method (the rule matched). */
  responseHeaders(origin, pattern) {
    const h = {
      'Access-Control-Allow-Origin': pattern.any ? '*' : origin,
      'Access-Control-Allow-Methods': this.rule.methods.join(', '),
      Vary: VARY,
    };
    if (!pattern.any) h['Access-Control-Allow-Credentials'] = 'true';
    if (this.rule.expose.length) h['Access-Control-Expose-Headers'] = this.rule.expose.join(', ');
    if (this.rule.maxAge !== undefined) h['Access-Control-Max-Age'] = String(this.rule.maxAge);
    return h;
  }

  /* For a GET/HEAD/PUT/POST/DELETE with an Origin: the CORS headers, or {}. */
  actual(req) {
    const origin = req.headers.origin;
    const pattern = this.match(origin, req.method);
    return pattern ? this.responseHeaders(origin, pattern) : {};
  }

  /*
   * A preflight (OPTIONS). Returns the response headers, or throws
   * { status, code, message, detail } for the caller to turn into S3's XML.
   */
  preflight(req, resourceType) {
    const origin = req.headers.origin;
    const method = req.headers['access-control-request-method'];
    const fail = (status, code, message, detail = {}) => Object.assign(new Error(message), { status, code, detail });
    if (!origin) throw fail(400, 'BadRequest', 'Insufficient information. Origin request header needed.');
    if (!method) throw fail(400, 'BadRequest', `Invalid Access-Control-Request-Method: ${method ?? 'null'}`);
    const forbidden = msg => fail(403, 'AccessForbidden', `CORSResponse: ${msg}`,
      { Method: method, ResourceType: resourceType });
    if (!this.rule) throw forbidden('CORS is not enabled for this bucket.');
    const requested = (req.headers['access-control-request-headers'] || '')
      .split(',').map(s => s.trim().toLowerCase()).filter(Boolean);
    const pattern = this.match(origin, method);
    if (!pattern || !requested.every(h => this.headerRes.some(re => re.test(h)))) {
      throw forbidden('This CORS request is not allowed. This is usually because the evalution of ' +
        'Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers ' +
        "are not whitelisted by the resource's CORS spec.");
    }
    const h = this.responseHeaders(origin, pattern);
    if (requested.length) h['Access-Control-Allow-Headers'] = requested.join(', ');
    return h;
  }
}

module.exports = { Cors, DEFAULT_RULE };
