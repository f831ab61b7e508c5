// Mistakes the types must catch. Every `@ts-expect-error` line must stay an error: when a
// mistake stops being one, tsc reports the directive as unused and types.test.js fails.
// The lines without the directive must compile: they pin the exact types users get.
import { Socket, type Credentials, type Linger } from 'xsock';
import {
  t_open, t_alloc, t_rcv, t_snd, t_connect, t_rcvudata, syncFd, asyncFd,
  O_RDWR, O_NONBLOCK, T_BIND, T_CALL, T_UNITDATA, T_ALL,
  type TBind, type TCall, type TUnitdata,
} from 'xsock/xti';

/** Compile-time equality: only `true` is assignable when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function expectType<A, B>(_proof: Equal<A, B>): void { /* types only */ }

export async function options(s: Socket): Promise<void> {
  // @ts-expect-error a misspelled option name
  s.setsockopt('SOL_SOCKET', 'SO_REUSEADDRR', true);
  // @ts-expect-error a misspelled option name
  s.getsockopt('SOL_SOCKET', 'TCP_NODELAYY');
  // @ts-expect-error SO_LINGER takes { onoff, linger }, not a number
  s.setsockopt('SOL_SOCKET', 'SO_LINGER', 5);
  // @ts-expect-error SO_BINDTODEVICE takes a string
  s.setsockopt('SOL_SOCKET', 'SO_BINDTODEVICE', 3);
  // @ts-expect-error an unknown level name
  s.setsockopt('SOL_SOCKETT', 'SO_REUSEADDR', true);
  // @ts-expect-error read-only options take no value
  s.setsockopt(null, 'SO_PEERCRED', { pid: 1, uid: 0, gid: 0 });

  s.setsockopt('SOL_SOCKET', 'SO_REUSEADDR', true);
  s.setsockopt('SOL_SOCKET', 'SO_LINGER', { onoff: true, linger: 0 });
  s.setsockopt('SOL_SOCKET', 'SO_RCVBUF', Buffer.alloc(4));
  s.setsockopt(1, 2, 1);
  expectType<boolean, typeof reuse>(true);
  const reuse = s.getsockopt('SOL_SOCKET', 'SO_REUSEADDR');
  expectType<number, ReturnType<typeof rcvbuf>>(true);
  const rcvbuf = () => s.getsockopt(null, 'SO_RCVBUF');
  expectType<Linger, ReturnType<typeof linger>>(true);
  const linger = () => s.getsockopt('SOL_SOCKET', 'SO_LINGER');
  expectType<Credentials | null, ReturnType<typeof cred>>(true);
  const cred = () => s.getsockopt('SOL_SOCKET', 'SO_PEERCRED');
  expectType<string, ReturnType<typeof cc>>(true);
  const cc = () => s.getsockopt('IPPROTO_TCP', 'TCP_CONGESTION');
  expectType<Buffer, ReturnType<typeof raw>>(true);
  const raw = () => s.getsockopt('SOL_SOCKET', 'SO_RCVBUF', 4);
  // @ts-expect-error a boolean option is not a number
  const n: number = s.getsockopt('SOL_SOCKET', 'SO_REUSEADDR');
  void n;
}

export async function xti(): Promise<void> {
  const buf = Buffer.alloc(64);
  const sfd = syncFd(t_open('/dev/tcp', O_RDWR | O_NONBLOCK));
  const afd = asyncFd(t_open('/dev/tcp', O_RDWR));
  const plain = t_open('/dev/tcp', O_RDWR);

  const got: number = t_rcv(sfd, buf, buf.length);
  const later: Promise<number> = t_rcv(afd, buf, buf.length);
  const either = t_rcv(plain, buf, buf.length);
  expectType<number | Promise<number>, typeof either>(true);
  // @ts-expect-error a synchronous endpoint's t_rcv is not a Promise
  await t_rcv(sfd, buf, buf.length).then(() => 0);
  // @ts-expect-error an asynchronous endpoint's t_snd is a Promise, not a count
  const count: number = t_snd(afd, buf, 1);
  // @ts-expect-error a plain descriptor may give either: a strict user must narrow
  const sent: number = t_snd(plain, buf, 1);
  expectType<Promise<number>, ReturnType<typeof connect>>(true);
  const connect = () => t_connect(afd, t_alloc(afd, T_CALL, T_ALL));
  expectType<number, ReturnType<typeof udata>>(true);
  const udata = () => t_rcvudata(sfd, t_alloc(sfd, T_UNITDATA, T_ALL));

  const bind: TBind = t_alloc(sfd, T_BIND, T_ALL);
  const call: TCall = t_alloc(sfd, T_CALL, T_ALL);
  const ud: TUnitdata = t_alloc(sfd, T_UNITDATA, T_ALL);
  // @ts-expect-error t_alloc(T_BIND) is a t_bind, which has no udata
  void t_alloc(sfd, T_BIND, T_ALL).udata;
  // @ts-expect-error t_alloc is not `any`
  const wrong: TCall = t_alloc(sfd, T_BIND, T_ALL);
  // @ts-expect-error a branded descriptor is not made from a bare number
  const forged: typeof sfd = 3;
  void [got, later, count, sent, bind, call, ud, wrong, forged];
}
