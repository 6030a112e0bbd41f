/**
 * Lambda Hyperplane ENIs of VPC-attached Lambda functions (docs/hyperplane-enis.md): which function(s) each
 * one serves, whether it is idle, from when Lambda may reclaim it, and what deleting or detaching a function
 * leaves behind (teardown time, subnets and security groups that cannot be deleted yet). Pure functions over
 * a network-facts snapshot; no I/O.
 *
 * AWS facts, from the Lambda Developer Guide, "Giving Lambda functions access to resources in an Amazon
 * VPC" → "Understanding Hyperplane Elastic Network Interfaces (ENIs)",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-enis :
 *   - Lambda creates a Hyperplane ENI per subnet for each unique security-group set; functions of the
 *     account with the same subnet + security-group combination share it (and Lambda adds ENIs beyond
 *     65,000 connections, so one combination can have several);
 *   - "if a Lambda function remains idle for 14 days, Lambda reclaims any unused Hyperplane ENIs and sets
 *     the function state to `Inactive`" (older revisions of the page said 30 days);
 *   - "When you update a function to remove its VPC configuration, Lambda requires up to 20 minutes to
 *     delete the attached Hyperplane ENI. Lambda only deletes the ENI if no other function (or published
 *     function version) is using that Hyperplane ENI", with the function's execution role: a role deleted
 *     first leaves the ENI behind for a manual deletion.
 * EC2 marks them `InterfaceType` `lambda` (EC2 API model `ec2/2016-11-15`, NetworkInterfaceType) and
 * describes them `AWS Lambda VPC ENI-<function name>-<uuid>` (older: without the uuid). A subnet or security
 * group with an ENI in it cannot be deleted (EC2 answers `DependencyViolation`).
 */
import type { LambdaFunctionVpcFact, NetworkInterfaceFact, NetworkSnapshot } from './network-facts.js';

/** Days a function stays idle before Lambda reclaims its unused Hyperplane ENIs (Lambda DG, page above). */
export const HYPERPLANE_IDLE_RECLAIM_DAYS = 14;
/** Minutes Lambda may take to delete a Hyperplane ENI once no function version uses it (Lambda DG, page above). */
export const HYPERPLANE_TEARDOWN_MAX_MINUTES = 20;

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const DESCRIPTION_PREFIX = 'AWS Lambda VPC ENI';
const LATEST = '$LATEST';

/**
 * True for a classic Lambda Hyperplane ENI: `InterfaceType` `lambda` or a description starting with
 * `AWS Lambda VPC ENI`, and no network-connector tag (connector ENIs are never Hyperplane ENIs of functions).
 */
export function isHyperplaneEni(eni: Pick<NetworkInterfaceFact, 'interfaceType' | 'description' | 'connectorId'>) {
  if (eni.connectorId) return false;
  return eni.interfaceType === 'lambda' || (eni.description ?? '').startsWith(DESCRIPTION_PREFIX);
}

/**
 * The function named in a Hyperplane ENI description (`AWS Lambda VPC ENI-<name>-<uuid>` or
 * `AWS Lambda VPC ENI-<name>`), or null. It names the function the ENI was first created for only: other
 * functions sharing it are not named anywhere on the ENI.
 */
export function functionNameOfEniDescription(description: string | undefined | null): string | null {
  const match = (description ?? '').match(/^AWS Lambda VPC ENI-(.+?)(-[0-9a-f]{8}-[0-9a-f-]{27})?$/);
  return match?.[1] ?? null;
}

/** The key a Hyperplane ENI is shared under: one subnet and a sorted, de-duplicated security-group set. */
export function combinationKey(subnetId: string, securityGroupIds: readonly string[]): string {
  return `${subnetId}|${[...new Set(securityGroupIds)].sort().join(',')}`;
}

/** Where an ENI's last use comes from; only `invocation` is exact, the others are lower bounds. */
export type LastUseBasis = 'invocation' | 'function-update' | 'eni-attach' | 'unknown';

/**
 * `in-use`: a user was invoked within `idleAfterMs`. `attached`: users exist, invocation recency not known.
 * `idle`: every user is `Inactive` (reason `Idle`) or was last invoked longer than `idleAfterMs` ago.
 * `unused`: no function version is configured with its subnet + security groups: Lambda deletes it (teardown).
 * `released`: EC2 status `available` (detached from Lambda's Hyperplane).
 */
export type HyperplaneUsage = 'in-use' | 'attached' | 'idle' | 'unused' | 'released';

/** A function using an ENI, with the versions whose VPC configuration matches it. */
export interface HyperplaneEniUser {
  functionName: string;
  versions: string[];
  state?: string;
}

/** One Hyperplane ENI with its attribution. Times are ISO-8601 strings or null. */
export interface HyperplaneEniEntry {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  /** Sorted. */
  securityGroupIds: string[];
  /** EC2 `Status` (`in-use`, `available`, …). */
  status: string;
  privateIp: string | null;
  /** The function named by the description (the one it was created for), or null. */
  createdFor: string | null;
  requesterId: string | null;
  /**
   * `subnet-and-security-groups`: users from function VPC configurations. `description-only`: functions were
   * not read; the one user shown is the description's. `none`: functions read, nobody matches.
   */
  attribution: 'subnet-and-security-groups' | 'description-only' | 'none';
  users: HyperplaneEniUser[];
  usage: HyperplaneUsage;
  /** The latest time the ENI is known to have been needed, and where that comes from. */
  lastUse: { at: string | null; basis: LastUseBasis };
  /**
   * From when Lambda may reclaim it if nobody uses it: `lastUse.at` + 14 days. Exact when `lastUse.basis` is
   * `invocation`; otherwise the earliest possible time (a later invocation postpones it). Null when unknown
   * or when the ENI is already being torn down.
   */
  reclaimableFrom: string | null;
  /** `now` ≥ `reclaimableFrom`. */
  reclaimDue: boolean;
  /** For `unused` ENIs: when the teardown started (if known) and by when Lambda should have deleted it. */
  teardown: TeardownWindow | null;
}

/** A teardown of up to 20 minutes that started at `since` (null: start unknown). */
export interface TeardownWindow {
  since: string | null;
  /** `since` + 20 min. */
  expectedBy: string | null;
  /** The ENI is still there after `expectedBy` (e.g. the execution role was deleted first: delete it by hand). */
  overdue: boolean;
}

/** A subnet or security group that EC2 would refuse to delete (`DependencyViolation`) because of Hyperplane ENIs. */
export interface BlockedResource {
  /** `subnet-…` or `sg-…`. */
  id: string;
  networkInterfaceIds: string[];
  /** Functions whose configuration keeps those ENIs (empty: only unused ENIs being torn down). */
  heldBy: string[];
  /** When the last blocking ENI should be gone (only unused ENIs with a known start), else null. */
  clearsBy: string | null;
}

export interface HyperplaneReport {
  capturedAt: string;
  now: string;
  /** False when the snapshot has no Lambda functions (attribution from descriptions only). */
  functionsRead: boolean;
  enis: HyperplaneEniEntry[];
  /** Subnets and security groups with Hyperplane ENIs in them. */
  blockedSubnets: BlockedResource[];
  blockedSecurityGroups: BlockedResource[];
  /** What was inferred rather than read, one sentence each. */
  notes: string[];
}

export interface HyperplaneOptions {
  /** Without a use for this long, a user counts as idle (ms; default 7 days). Only with invocation data. */
  idleAfterMs?: number;
  /** Last invocation per function name (ISO-8601), when a source knows it (e.g. CloudWatch `Invocations`). */
  lastInvokedAt?: Readonly<Record<string, string>>;
}

const DEFAULT_IDLE_AFTER_MS = 7 * DAY_MS;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function parsed(value: string | undefined | null): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** Function versions with a VPC configuration, indexed by the combination keys they use. */
function usersByCombination(functions: readonly LambdaFunctionVpcFact[]): Map<string, LambdaFunctionVpcFact[]> {
  const out = new Map<string, LambdaFunctionVpcFact[]>();
  for (const f of functions) {
    for (const subnetId of new Set(f.subnetIds)) {
      const key = combinationKey(subnetId, f.securityGroupIds);
      out.set(key, [...(out.get(key) ?? []), f]);
    }
  }
  return out;
}

function groupUsers(versions: readonly LambdaFunctionVpcFact[]): HyperplaneEniUser[] {
  const byName = new Map<string, HyperplaneEniUser>();
  for (const v of versions) {
    const user = byName.get(v.functionName) ?? { functionName: v.functionName, versions: [] };
    user.versions.push(v.version);
    if (v.version === LATEST && v.state) user.state = v.state;
    byName.set(v.functionName, user);
  }
  return [...byName.values()]
    .map((u) => ({ ...u, versions: u.versions.sort() }))
    .sort((a, b) => a.functionName.localeCompare(b.functionName));
}

function isIdleFunction(f: LambdaFunctionVpcFact | undefined): boolean {
  return f?.state === 'Inactive' && (f.stateReasonCode === undefined || f.stateReasonCode === 'Idle');
}

function lastUseOf(
  eni: NetworkInterfaceFact,
  versions: readonly LambdaFunctionVpcFact[],
  lastInvokedAt: Readonly<Record<string, string>>,
): { at: number | null; basis: LastUseBasis } {
  const names = [...new Set(versions.map((v) => v.functionName))];
  const invocations = names.map((n) => parsed(lastInvokedAt[n]));
  if (names.length > 0 && invocations.every((t) => t !== null)) {
    return { at: Math.max(...(invocations as number[])), basis: 'invocation' };
  }
  // Lower bounds: a configuration change re-validates the function's ENI; the attachment is when Lambda took it.
  let best: { at: number | null; basis: LastUseBasis } = { at: null, basis: 'unknown' };
  const consider = (at: number | null, basis: LastUseBasis) => {
    if (at !== null && (best.at === null || at > best.at)) best = { at, basis };
  };
  consider(parsed(eni.attachment?.attachTime), 'eni-attach');
  for (const v of versions) consider(parsed(v.lastModified), 'function-update');
  for (const t of invocations) consider(t, 'invocation');
  // A max mixing an invocation with lower bounds is still only a lower bound.
  if (best.basis === 'invocation') best = { at: best.at, basis: 'function-update' };
  return best;
}

/**
 * When the teardown of an unused ENI started: the latest `LastModified` of a function that names it (its
 * creator) and no longer has a VPC configuration (the update that removed it). Null when not known (a
 * deleted function leaves no trace in the APIs read).
 */
function teardownStart(eni: NetworkInterfaceFact, functions: readonly LambdaFunctionVpcFact[]): number | null {
  const creator = functionNameOfEniDescription(eni.description);
  const detached = functions.filter(
    (f) => f.functionName === creator && f.version === LATEST && f.subnetIds.length === 0,
  );
  const times = detached.map((f) => parsed(f.lastModified)).filter((t): t is number => t !== null);
  return times.length ? Math.max(...times) : null;
}

function teardownWindow(since: number | null, now: number): TeardownWindow {
  const expectedBy = since === null ? null : since + HYPERPLANE_TEARDOWN_MAX_MINUTES * MINUTE_MS;
  return {
    since: since === null ? null : iso(since),
    expectedBy: expectedBy === null ? null : iso(expectedBy),
    overdue: expectedBy !== null && now > expectedBy,
  };
}

/**
 * Attributes every Hyperplane ENI of `snapshot` to the function versions configured with its subnet and
 * security-group set, and says whether each is idle, from when Lambda may reclaim it, and which subnets and
 * security groups it blocks. `now` is the report time. Never throws; unknowns are null with a note.
 */
export function hyperplaneEniReport(
  snapshot: NetworkSnapshot,
  now: Date,
  options: HyperplaneOptions = {},
): HyperplaneReport {
  const nowMs = now.getTime();
  const idleAfterMs = options.idleAfterMs ?? DEFAULT_IDLE_AFTER_MS;
  const lastInvokedAt = options.lastInvokedAt ?? {};
  const functionsRead = snapshot.lambdaFunctions !== undefined;
  const functions = snapshot.lambdaFunctions ?? [];
  const latest = new Map(functions.filter((f) => f.version === LATEST).map((f) => [f.functionName, f]));
  const byCombination = usersByCombination(functions.filter((f) => f.subnetIds.length > 0));

  const enis: HyperplaneEniEntry[] = [];
  for (const eni of snapshot.networkInterfaces.filter(isHyperplaneEni)) {
    const createdFor = functionNameOfEniDescription(eni.description);
    const versions = byCombination.get(combinationKey(eni.subnetId, eni.securityGroupIds)) ?? [];
    const users: HyperplaneEniUser[] = functionsRead
      ? groupUsers(versions)
      : createdFor
        ? [{ functionName: createdFor, versions: [] }]
        : [];
    const attribution = !functionsRead ? 'description-only' : users.length ? 'subnet-and-security-groups' : 'none';
    const lastUse = lastUseOf(eni, versions, lastInvokedAt);
    let usage: HyperplaneUsage;
    if (eni.status === 'available') usage = 'released';
    else if (functionsRead && users.length === 0) usage = 'unused';
    else if (users.length > 0 && users.every((u) => isIdleFunction(latest.get(u.functionName)))) usage = 'idle';
    else if (lastUse.basis === 'invocation' && lastUse.at !== null)
      usage = nowMs - lastUse.at >= idleAfterMs ? 'idle' : 'in-use';
    else usage = 'attached';
    const tornDown = usage === 'unused' || usage === 'released';
    const reclaimable = tornDown || lastUse.at === null ? null : lastUse.at + HYPERPLANE_IDLE_RECLAIM_DAYS * DAY_MS;
    enis.push({
      networkInterfaceId: eni.networkInterfaceId,
      subnetId: eni.subnetId,
      vpcId: eni.vpcId,
      availabilityZone: eni.availabilityZone,
      securityGroupIds: [...new Set(eni.securityGroupIds)].sort(),
      status: eni.status,
      privateIp: eni.privateIpAddresses[0] ?? null,
      createdFor,
      requesterId: eni.requesterId ?? null,
      attribution,
      users,
      usage,
      lastUse: { at: lastUse.at === null ? null : iso(lastUse.at), basis: lastUse.basis },
      reclaimableFrom: reclaimable === null ? null : iso(reclaimable),
      reclaimDue: reclaimable !== null && nowMs >= reclaimable,
      teardown: usage === 'unused' ? teardownWindow(teardownStart(eni, functions), nowMs) : null,
    });
  }
  enis.sort((a, b) => a.subnetId.localeCompare(b.subnetId) || a.networkInterfaceId.localeCompare(b.networkInterfaceId));

  const notes: string[] = [];
  if (!functionsRead) {
    notes.push(
      'Lambda functions were not read: each ENI is attributed to the function its description names only; functions sharing it are unknown.',
    );
  }
  if (enis.some((e) => e.lastUse.basis !== 'invocation' && e.reclaimableFrom !== null)) {
    notes.push(
      'Invocation times were not read: last use is the latest function update or ENI attachment, so reclaim dates are the earliest possible.',
    );
  }
  if (enis.some((e) => e.teardown && e.teardown.since === null)) {
    notes.push('A deleted function leaves no trace in the APIs read: when its teardown started is unknown.');
  }
  return {
    capturedAt: snapshot.capturedAt,
    now: now.toISOString(),
    functionsRead,
    enis,
    ...blockedResources(enis.map((e) => ({ ...e, holders: e.users.map((u) => u.functionName) }))),
    notes,
  };
}

/** An ENI as the blocked-resource summary needs it. */
interface BlockingEni {
  networkInterfaceId: string;
  subnetId: string;
  securityGroupIds: string[];
  /** Who keeps it (function names). */
  holders: string[];
  teardown: TeardownWindow | null;
}

/** Groups ENIs by the subnet or security groups they are in (`resourcesOf`), one BlockedResource each. */
function blockedBy(enis: readonly BlockingEni[], resourcesOf: (e: BlockingEni) => string[]): BlockedResource[] {
  const byId = new Map<string, BlockingEni[]>();
  for (const e of enis) for (const id of resourcesOf(e)) byId.set(id, [...(byId.get(id) ?? []), e]);
  return [...byId.entries()]
    .map(([id, list]) => ({
      id,
      networkInterfaceIds: list.map((e) => e.networkInterfaceId),
      heldBy: [...new Set(list.flatMap((e) => e.holders))].sort(),
      clearsBy: clearsBy(list),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Blocked subnets and security groups of a list of ENIs. */
function blockedResources(enis: readonly BlockingEni[]) {
  return {
    blockedSubnets: blockedBy(enis, (e) => [e.subnetId]),
    blockedSecurityGroups: blockedBy(enis, (e) => e.securityGroupIds),
  };
}

/** The latest `expectedBy` when every ENI is in a teardown with a known start; null otherwise. */
function clearsBy(list: readonly { teardown: TeardownWindow | null }[]): string | null {
  const ends = list.map((e) => e.teardown?.expectedBy ?? null);
  if (ends.length === 0 || ends.some((t) => t === null)) return null;
  return (ends as string[]).sort().at(-1) ?? null;
}

/** `delete`: every version of the function goes. `detach`: `$LATEST` loses its VPC configuration. */
export type TeardownAction = 'delete' | 'detach';

/** One ENI in a function's teardown. */
export interface FunctionTeardownEni {
  networkInterfaceId: string;
  subnetId: string;
  securityGroupIds: string[];
  /** Other functions (or this function's remaining versions, as `name:version`) that keep it. */
  keptBy: string[];
  /** True when Lambda deletes it (nobody keeps it), within 20 minutes. */
  deletedByLambda: boolean;
  /** When it should be gone (ISO-8601), null when it stays or the start is unknown. */
  expectedGoneBy: string | null;
}

/**
 * What deleting or detaching a function does to its Hyperplane ENIs. `phase`: `planned` (the function is
 * still attached; times count from `now`), `in-progress` (it is detached or deleted and ENIs that name it
 * remain; times count from the detach, when known), `done` (nothing of it remains), `not-attached`.
 */
export interface FunctionTeardown {
  functionName: string;
  action: TeardownAction;
  phase: 'planned' | 'in-progress' | 'done' | 'not-attached';
  /** Upper bound Lambda documents for deleting an unused Hyperplane ENI (20). */
  teardownMaxMinutes: number;
  since: string | null;
  expectedBy: string | null;
  overdue: boolean;
  enis: FunctionTeardownEni[];
  /**
   * The subnets and security groups of those ENIs that EC2 would refuse to delete, and until when: every
   * Hyperplane ENI in them counts, the function's own and other functions' (docs/hyperplane-enis.md).
   */
  blockedSubnets: BlockedResource[];
  blockedSecurityGroups: BlockedResource[];
  notes: string[];
}

/**
 * The teardown of `functionName` after `action`, from the snapshot's functions and Hyperplane ENIs. For a
 * function still attached it is a plan counted from `now`; for one already detached or deleted, the ENIs
 * that remain, counted from its detach (`LastModified` of `$LATEST`; unknown for a deleted function).
 */
export function functionTeardown(
  snapshot: NetworkSnapshot,
  functionName: string,
  now: Date,
  action: TeardownAction = 'delete',
): FunctionTeardown {
  const nowMs = now.getTime();
  const functions = snapshot.lambdaFunctions ?? [];
  const own = functions.filter((f) => f.functionName === functionName);
  const attachedOwn = own.filter((f) => f.subnetIds.length > 0);
  const leaving = attachedOwn.filter((f) => action === 'delete' || f.version === LATEST);
  const remaining = functions.filter((f) => f.subnetIds.length > 0 && !leaving.includes(f));
  const byRemaining = usersByCombination(remaining);
  const hyperplane = snapshot.networkInterfaces.filter(isHyperplaneEni);
  const notes: string[] = [];

  let phase: FunctionTeardown['phase'];
  let start: number | null;
  let candidates: NetworkInterfaceFact[];
  if (leaving.length > 0) {
    phase = 'planned';
    start = nowMs;
    const keys = new Set(leaving.flatMap((f) => f.subnetIds.map((s) => combinationKey(s, f.securityGroupIds))));
    candidates = hyperplane.filter((e) => keys.has(combinationKey(e.subnetId, e.securityGroupIds)));
  } else {
    // Already detached or deleted: what remains is what names it (its previous configuration is not known).
    candidates = hyperplane.filter((e) => functionNameOfEniDescription(e.description) === functionName);
    const latest = own.find((f) => f.version === LATEST);
    start = latest && latest.subnetIds.length === 0 ? parsed(latest.lastModified) : null;
    phase = candidates.length > 0 ? 'in-progress' : own.length > 0 ? 'not-attached' : 'done';
    if (phase === 'in-progress' && !latest) {
      notes.push(`${functionName} is not among the functions read (deleted): when its teardown started is unknown.`);
    }
    if (attachedOwn.length > 0 && action === 'detach') {
      notes.push(`published versions of ${functionName} still have a VPC configuration and keep their ENIs.`);
    }
  }
  if (snapshot.lambdaFunctions === undefined) {
    notes.push('Lambda functions were not read: ENIs shared with other functions cannot be told apart.');
  }

  const window = teardownWindow(start, nowMs);
  const enis: FunctionTeardownEni[] = candidates.map((e) => {
    const keepers = byRemaining.get(combinationKey(e.subnetId, e.securityGroupIds)) ?? [];
    const keptBy = [
      ...new Set(
        keepers.map((k) => (k.functionName === functionName ? `${k.functionName}:${k.version}` : k.functionName)),
      ),
    ].sort();
    const deletedByLambda = keptBy.length === 0;
    return {
      networkInterfaceId: e.networkInterfaceId,
      subnetId: e.subnetId,
      securityGroupIds: [...new Set(e.securityGroupIds)].sort(),
      keptBy,
      deletedByLambda,
      expectedGoneBy: deletedByLambda ? window.expectedBy : null,
    };
  });
  const anyDeleted = enis.some((e) => e.deletedByLambda);
  return {
    functionName,
    action,
    phase,
    teardownMaxMinutes: HYPERPLANE_TEARDOWN_MAX_MINUTES,
    since: anyDeleted ? window.since : null,
    expectedBy: anyDeleted ? window.expectedBy : null,
    overdue: anyDeleted && window.overdue,
    enis,
    ...blockersOf(snapshot, now, functionName, action, enis, window),
    notes,
  };
}

/**
 * Blocked subnets and security groups of a function's teardown: its own ENIs (kept by `keptBy`, or gone
 * within `window`) plus every other Hyperplane ENI in the same subnets or security groups (kept by their
 * users other than the leaving function, or in their own teardown).
 */
function blockersOf(
  snapshot: NetworkSnapshot,
  now: Date,
  functionName: string,
  action: TeardownAction,
  own: readonly FunctionTeardownEni[],
  window: TeardownWindow,
): Pick<FunctionTeardown, 'blockedSubnets' | 'blockedSecurityGroups'> {
  const ownIds = new Set(own.map((e) => e.networkInterfaceId));
  const touched = new Set(own.flatMap((e) => [e.subnetId, ...e.securityGroupIds]));
  const others = hyperplaneEniReport(snapshot, now)
    .enis.filter((e) => !ownIds.has(e.networkInterfaceId))
    .filter((e) => touched.has(e.subnetId) || e.securityGroupIds.some((g) => touched.has(g)))
    .map((e) => ({
      ...e,
      holders: e.users.filter((u) => action === 'detach' || u.functionName !== functionName).map((u) => u.functionName),
    }));
  const blocked = blockedResources([
    ...own.map((e) => ({ ...e, holders: e.keptBy, teardown: e.deletedByLambda ? window : null })),
    ...others,
  ]);
  return {
    blockedSubnets: blocked.blockedSubnets.filter((b) => touched.has(b.id)),
    blockedSecurityGroups: blocked.blockedSecurityGroups.filter((b) => touched.has(b.id)),
  };
}

/**
 * The functions a snapshot keeps: every version with a VPC configuration, plus `$LATEST` of functions
 * without one that a Hyperplane ENI's description names (a detach in progress). Keeps stored facts small.
 */
export function relevantLambdaFunctions(
  functions: readonly LambdaFunctionVpcFact[],
  enis: readonly NetworkInterfaceFact[],
): LambdaFunctionVpcFact[] {
  const named = new Set(
    enis
      .filter(isHyperplaneEni)
      .map((e) => functionNameOfEniDescription(e.description))
      .filter((n): n is string => n !== null),
  );
  return functions.filter((f) => f.subnetIds.length > 0 || (f.version === LATEST && named.has(f.functionName)));
}
