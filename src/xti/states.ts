/**
 * The XTI state table (illumos libnsl _data2.c) as data: in which states each call is
 * legal, and where each successful call leads. Calls check here first and fail with
 * TOUTSTATE, so the table is the one place the state machine is written down.
 */
import { T_UNINIT, T_UNBND, T_IDLE, T_OUTCON, T_INCON, T_DATAXFER, T_OUTREL, T_INREL, stateNames } from './constants.js';
import { TOUTSTATE, terror } from './errors.js';
import type { XtiCall, XtiState, StateEvent } from './names.js';

const ANY: readonly XtiState[] = [T_UNBND, T_IDLE, T_OUTCON, T_INCON, T_DATAXFER, T_OUTREL, T_INREL];
const CONNECTED: readonly XtiState[] = [T_OUTCON, T_INCON, T_DATAXFER, T_OUTREL, T_INREL];

/** Call -> the states in which it is legal. */
export const legalStates = {
  /** t_bind: legal in T_UNBND. */
  t_bind: [T_UNBND],
  /** t_unbind: legal in T_IDLE. */
  t_unbind: [T_IDLE],
  /** t_close: legal in any state but T_UNINIT. */
  t_close: ANY,
  /** t_getinfo: legal in any state but T_UNINIT. */
  t_getinfo: ANY,
  /** t_getstate: legal in any state but T_UNINIT. */
  t_getstate: ANY,
  /** t_getprotaddr: legal in any state but T_UNINIT. */
  t_getprotaddr: ANY,
  /** t_optmgmt: legal in any state but T_UNINIT. */
  t_optmgmt: ANY,
  /** t_look: legal in any state but T_UNINIT. */
  t_look: ANY,
  /** t_connect: legal in T_IDLE. */
  t_connect: [T_IDLE],
  /** t_rcvconnect: legal in T_OUTCON. */
  t_rcvconnect: [T_OUTCON],
  /** t_listen: legal in T_IDLE or T_INCON. */
  t_listen: [T_IDLE, T_INCON],
  /** t_accept: legal in T_INCON. */
  t_accept: [T_INCON],
  /** t_snd: legal in T_DATAXFER or T_INREL. */
  t_snd: [T_DATAXFER, T_INREL],
  /** t_sndv: legal in T_DATAXFER or T_INREL. */
  t_sndv: [T_DATAXFER, T_INREL],
  /** t_rcv: legal in T_DATAXFER or T_OUTREL. */
  t_rcv: [T_DATAXFER, T_OUTREL],
  /** t_rcvv: legal in T_DATAXFER or T_OUTREL. */
  t_rcvv: [T_DATAXFER, T_OUTREL],
  /** t_snddis: legal in any connection state (T_OUTCON, T_INCON, T_DATAXFER, T_OUTREL, T_INREL). */
  t_snddis: CONNECTED,
  /** t_rcvdis: legal in any connection state (T_OUTCON, T_INCON, T_DATAXFER, T_OUTREL, T_INREL). */
  t_rcvdis: CONNECTED,
  /** t_sndrel: legal in T_DATAXFER or T_INREL. */
  t_sndrel: [T_DATAXFER, T_INREL],
  /** t_sndreldata: legal in T_DATAXFER or T_INREL. */
  t_sndreldata: [T_DATAXFER, T_INREL],
  /** t_rcvrel: legal in T_DATAXFER or T_OUTREL. */
  t_rcvrel: [T_DATAXFER, T_OUTREL],
  /** t_rcvreldata: legal in T_DATAXFER or T_OUTREL. */
  t_rcvreldata: [T_DATAXFER, T_OUTREL],
  /** t_sndudata: legal in T_IDLE. */
  t_sndudata: [T_IDLE],
  /** t_sndvudata: legal in T_IDLE. */
  t_sndvudata: [T_IDLE],
  /** t_rcvudata: legal in T_IDLE. */
  t_rcvudata: [T_IDLE],
  /** t_rcvvudata: legal in T_IDLE. */
  t_rcvvudata: [T_IDLE],
  /** t_rcvuderr: legal in T_IDLE. */
  t_rcvuderr: [T_IDLE],
} as const satisfies Readonly<Partial<Record<XtiCall, readonly XtiState[]>>>;

/** A call whose legality the state table decides. */
export type StateCall = keyof typeof legalStates;

/** A transition: on `event` from one of `from` (when `when(ocnt)` holds) to `to`. */
export interface Transition {
  /** The call that succeeded ('bind', 'rcvdis' ...), split where the outcome differs ('connect_pending', 'accept_other'). */
  readonly event: StateEvent;
  /** The states the event applies in. */
  readonly from: readonly XtiState[];
  /** The state it leads to. */
  readonly to: XtiState;
  /** ocnt condition, evaluated on the count before the call changes it. */
  readonly when?: (ocnt: number) => boolean;
}

const one = (n: number) => n <= 1;
const many = (n: number) => n > 1;

/** Every transition of the table; `same` rows (snd, rcv, optmgmt ...) keep the state. */
export const transitions: readonly Transition[] = [
  { event: 'open', from: [T_UNINIT], to: T_UNBND },
  { event: 'bind', from: [T_UNBND], to: T_IDLE },
  { event: 'unbind', from: [T_IDLE], to: T_UNBND },
  { event: 'close', from: [T_UNBND], to: T_UNINIT },
  { event: 'connect', from: [T_IDLE], to: T_DATAXFER },
  { event: 'connect_pending', from: [T_IDLE], to: T_OUTCON },
  { event: 'rcvconnect', from: [T_OUTCON], to: T_DATAXFER },
  { event: 'listen', from: [T_IDLE, T_INCON], to: T_INCON },
  { event: 'accept_self', from: [T_INCON], to: T_DATAXFER, when: one },
  { event: 'accept_other', from: [T_INCON], to: T_IDLE, when: one },
  { event: 'accept_other', from: [T_INCON], to: T_INCON, when: many },
  { event: 'accept_res', from: [T_UNBND, T_IDLE], to: T_DATAXFER },
  { event: 'snddis', from: [T_OUTCON, T_INCON, T_DATAXFER, T_OUTREL, T_INREL], to: T_IDLE, when: one },
  { event: 'snddis', from: [T_INCON], to: T_INCON, when: many },
  { event: 'rcvdis', from: [T_OUTCON, T_INCON, T_DATAXFER, T_OUTREL, T_INREL], to: T_IDLE, when: one },
  { event: 'rcvdis', from: [T_INCON], to: T_INCON, when: many },
  { event: 'sndrel', from: [T_DATAXFER], to: T_OUTREL },
  { event: 'sndrel', from: [T_INREL], to: T_IDLE },
  { event: 'rcvrel', from: [T_DATAXFER], to: T_INREL },
  { event: 'rcvrel', from: [T_OUTREL], to: T_IDLE },
];

/** Fails with TOUTSTATE unless `call` is legal in `state`. */
export function checkState(call: StateCall, state: XtiState): void {
  const ok: readonly XtiState[] = legalStates[call];
  if (!ok.includes(state)) throw terror(call, TOUTSTATE, `not allowed in state ${stateNames[state] ?? state}`);
}

/** The state after `event` from `state` with `ocnt` outstanding indications. */
export function nextState(event: StateEvent, state: XtiState, ocnt = 0): XtiState {
  for (const t of transitions) {
    if (t.event === event && t.from.includes(state) && (!t.when || t.when(ocnt))) return t.to;
  }
  throw new Error(`xti: no transition for ${event} from ${stateNames[state]} (ocnt ${ocnt})`);
}
