/**
 * The closed vocabularies of XTI as types: the functions (the name a TError carries), the
 * endpoint states, the events t_look reports, and the inputs of the state table. Each is a
 * union of literals, so a misspelt call, state or event fails to compile.
 */
import type {
  T_UNINIT, T_UNBND, T_IDLE, T_OUTCON, T_INCON, T_DATAXFER, T_OUTREL, T_INREL,
  T_LISTEN, T_CONNECT, T_DATA, T_EXDATA, T_DISCONNECT, T_UDERR, T_ORDREL,
} from './constants.js';

/** An XTI function, by its C name. */
export type XtiCall =
  | 't_accept' | 't_alloc' | 't_bind' | 't_close' | 't_connect' | 't_error' | 't_free'
  | 't_getinfo' | 't_getprotaddr' | 't_getstate' | 't_listen' | 't_look' | 't_open'
  | 't_optmgmt' | 't_rcv' | 't_rcvconnect' | 't_rcvdis' | 't_rcvrel' | 't_rcvreldata'
  | 't_rcvudata' | 't_rcvuderr' | 't_rcvv' | 't_rcvvudata' | 't_snd' | 't_snddis'
  | 't_sndrel' | 't_sndreldata' | 't_sndudata' | 't_sndv' | 't_sndvudata' | 't_strerror'
  | 't_sync' | 't_sysconf' | 't_unbind';

/** An endpoint state (t_getstate), T_UNINIT ... T_INREL. */
export type XtiState =
  | typeof T_UNINIT | typeof T_UNBND | typeof T_IDLE | typeof T_OUTCON | typeof T_INCON
  | typeof T_DATAXFER | typeof T_OUTREL | typeof T_INREL;

/** An event t_look reports, T_LISTEN ... T_ORDREL. */
export type XtiEvent =
  | typeof T_LISTEN | typeof T_CONNECT | typeof T_DATA | typeof T_EXDATA
  | typeof T_DISCONNECT | typeof T_UDERR | typeof T_ORDREL;

/** What moves an endpoint along the state table (illumos _data2.c's event column). */
export type StateEvent =
  | 'open' | 'bind' | 'unbind' | 'close' | 'connect' | 'connect_pending' | 'rcvconnect'
  | 'listen' | 'accept_self' | 'accept_other' | 'accept_res' | 'snddis' | 'rcvdis'
  | 'sndrel' | 'rcvrel';
