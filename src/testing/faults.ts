/**
 * Fault injection: rules that match requests by method and path and replace, delay, cut off or corrupt the
 * response. Each request consumes at most one rule: the first registered one that matches and has uses left.
 */
import { jsonResponse, rpcCodeForStatus, type WireResponse } from './wire';

/** What to do to requests that match; fields combine as described on each. */
export interface FaultRule {
  /** 'POST' | 'GET' | 'DELETE'; any method when omitted. */
  method?: string;
  /** Matched against the request path without the query string (as received, still percent-encoded). */
  path?: string | RegExp;
  /** How many matching requests the rule applies to: a positive integer, default 1, or `Infinity`. */
  times?: number;
  /** Respond with this status instead of handling the request. */
  status?: number;
  /** Response body: a string is sent as-is, anything else JSON-encoded. Default: an rpcStatus body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait before handling or responding; alone it only delays the normal response. */
  delayMs?: number;
  /** Reset the connection (TCP RST) without any response; with `afterEffect`, once the operation took effect. */
  reset?: boolean;
  /** Answer 200 (or `status`) with a body that is not valid JSON. */
  malformed?: boolean;
  /** Perform the operation for real, then answer as the rest of the rule says (default status 500). */
  afterEffect?: boolean;
}

/** How the emulator must answer one request, decided before the request is handled. */
export interface FaultPlan {
  delayMs: number;
  /** Run the real handler (its effect happens); when `replacement` is set its response is discarded. */
  handle: boolean;
  reset: boolean;
  replacement?: WireResponse;
}

const MALFORMED_BODY = '{"id": "1", "status": ';

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

export class FaultTable {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    const times = rule.times ?? 1;
    if (!(times === Infinity || (Number.isInteger(times) && times > 0))) {
      throw new RangeError(`fault rule needs times > 0 (an integer or Infinity), got ${times}`);
    }
    this.rules.push({ rule, remaining: times });
  }

  clear(): void {
    this.rules = [];
  }

  /** Consumes one use of the first matching rule and says what to do; undefined when no rule matches. */
  take(method: string, path: string): FaultPlan | undefined {
    const active = this.rules.find((candidate) => candidate.remaining > 0 && matches(candidate.rule, method, path));
    if (active === undefined) return undefined;
    active.remaining -= 1;
    this.rules = this.rules.filter((candidate) => candidate.remaining > 0);
    return planFor(active.rule);
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false;
  if (rule.path === undefined) return true;
  if (typeof rule.path === 'string') return rule.path === path;
  rule.path.lastIndex = 0;
  return rule.path.test(path);
}

function planFor(rule: FaultRule): FaultPlan {
  const delayMs = rule.delayMs ?? 0;
  const afterEffect = rule.afterEffect === true;
  const reset = rule.reset === true;
  const replaces = rule.status !== undefined || rule.malformed === true || afterEffect;
  const plan: FaultPlan = { delayMs, reset, handle: afterEffect || (!replaces && !reset) };
  if (replaces && !reset) plan.replacement = replacementFor(rule);
  return plan;
}

function replacementFor(rule: FaultRule): WireResponse {
  const headers = rule.headers ?? {};
  if (rule.malformed === true) {
    return {
      status: rule.status ?? 200,
      headers: { 'content-type': 'application/json', ...headers },
      body: MALFORMED_BODY,
    };
  }
  const status = rule.status ?? 500;
  if (typeof rule.body === 'string') {
    return { status, headers: { 'content-type': 'text/plain', ...headers }, body: rule.body };
  }
  if (rule.body !== undefined) return jsonResponse(status, rule.body, headers);
  if (status < 400) return jsonResponse(status, {}, headers);
  const message = `injected fault: status ${status}`;
  return jsonResponse(status, { code: rpcCodeForStatus(status), message, details: [] }, headers);
}
