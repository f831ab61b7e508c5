/*
 * Platform constants, read from the C headers of the machine the addon is built on, so
 * the TypeScript side never hard-codes a value that differs between architectures
 * (SO_* on MIPS/SPARC, O_NONBLOCK on Alpha ...).
 *
 * Option names that only newer kernels or libcs define are guarded one by one: a missing
 * name is simply absent from `constants` and the TypeScript side treats it as unsupported.
 * The few that matter and that older headers lack get their asm-generic value.
 */
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "xsock.h"

/* Values from include/uapi/asm-generic/socket.h (Linux 6.5+) for older headers. */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif
/* Kernel-internal (include/net/scm.h), not in any uapi header: fds per SCM_RIGHTS. */
#define XS_SCM_MAX_FD 253
#ifndef SOL_TCP
#define SOL_TCP IPPROTO_TCP
#endif
#ifndef SOL_UDP
#define SOL_UDP IPPROTO_UDP
#endif
#ifndef SIOCINQ
#define SIOCINQ FIONREAD
#endif
#ifndef SIOCOUTQ
#define SIOCOUTQ TIOCOUTQ
#endif

#include "constant-table.h"

static napi_status fill(napi_env env, napi_value obj) {
  napi_status s;

  /* address / protocol families */
  C(AF_UNSPEC); C(AF_UNIX); C(AF_LOCAL); C(AF_INET);
  C(AF_INET6); C(AF_NETLINK); C(AF_PACKET); C(PF_UNSPEC);
  C(PF_UNIX); C(PF_LOCAL); C(PF_INET); C(PF_INET6);
  C(PF_NETLINK); C(PF_PACKET);

  /* socket types and the flags socket(2) accepts in `type` */
  C(SOCK_STREAM); C(SOCK_DGRAM); C(SOCK_SEQPACKET); C(SOCK_RAW);
  C(SOCK_RDM); C(SOCK_NONBLOCK); C(SOCK_CLOEXEC);

  /* send/recv flags */
  C(MSG_OOB); C(MSG_PEEK); C(MSG_DONTROUTE); C(MSG_CTRUNC);
  C(MSG_TRUNC); C(MSG_DONTWAIT); C(MSG_EOR); C(MSG_WAITALL);
  C(MSG_NOSIGNAL); C(MSG_CMSG_CLOEXEC); C(MSG_ERRQUEUE); C(MSG_CONFIRM);
  C(MSG_MORE); C(MSG_WAITFORONE);
#ifdef MSG_ZEROCOPY
  C(MSG_ZEROCOPY);
#endif
#ifdef MSG_FASTOPEN
  C(MSG_FASTOPEN);
#endif

  /* option levels */
  C(SOL_SOCKET); C(SOL_IP); C(SOL_IPV6); C(SOL_TCP);
  C(SOL_UDP);

  /* SOL_SOCKET options: every one Linux defines, each guarded */
#ifdef SO_DEBUG
  C(SO_DEBUG);
#endif
#ifdef SO_REUSEADDR
  C(SO_REUSEADDR);
#endif
#ifdef SO_TYPE
  C(SO_TYPE);
#endif
#ifdef SO_ERROR
  C(SO_ERROR);
#endif
#ifdef SO_DONTROUTE
  C(SO_DONTROUTE);
#endif
#ifdef SO_BROADCAST
  C(SO_BROADCAST);
#endif
#ifdef SO_SNDBUF
  C(SO_SNDBUF);
#endif
#ifdef SO_RCVBUF
  C(SO_RCVBUF);
#endif
#ifdef SO_SNDBUFFORCE
  C(SO_SNDBUFFORCE);
#endif
#ifdef SO_RCVBUFFORCE
  C(SO_RCVBUFFORCE);
#endif
#ifdef SO_KEEPALIVE
  C(SO_KEEPALIVE);
#endif
#ifdef SO_OOBINLINE
  C(SO_OOBINLINE);
#endif
#ifdef SO_NO_CHECK
  C(SO_NO_CHECK);
#endif
#ifdef SO_PRIORITY
  C(SO_PRIORITY);
#endif
#ifdef SO_LINGER
  C(SO_LINGER);
#endif
#ifdef SO_BSDCOMPAT
  C(SO_BSDCOMPAT);
#endif
#ifdef SO_REUSEPORT
  C(SO_REUSEPORT);
#endif
#ifdef SO_PASSCRED
  C(SO_PASSCRED);
#endif
#ifdef SO_PEERCRED
  C(SO_PEERCRED);
#endif
#ifdef SO_RCVLOWAT
  C(SO_RCVLOWAT);
#endif
#ifdef SO_SNDLOWAT
  C(SO_SNDLOWAT);
#endif
#ifdef SO_RCVTIMEO
  C(SO_RCVTIMEO);
#endif
#ifdef SO_SNDTIMEO
  C(SO_SNDTIMEO);
#endif
#ifdef SO_RCVTIMEO_OLD
  C(SO_RCVTIMEO_OLD);
#endif
#ifdef SO_SNDTIMEO_OLD
  C(SO_SNDTIMEO_OLD);
#endif
#ifdef SO_RCVTIMEO_NEW
  C(SO_RCVTIMEO_NEW);
#endif
#ifdef SO_SNDTIMEO_NEW
  C(SO_SNDTIMEO_NEW);
#endif
#ifdef SO_SECURITY_AUTHENTICATION
  C(SO_SECURITY_AUTHENTICATION);
#endif
#ifdef SO_SECURITY_ENCRYPTION_TRANSPORT
  C(SO_SECURITY_ENCRYPTION_TRANSPORT);
#endif
#ifdef SO_SECURITY_ENCRYPTION_NETWORK
  C(SO_SECURITY_ENCRYPTION_NETWORK);
#endif
#ifdef SO_BINDTODEVICE
  C(SO_BINDTODEVICE);
#endif
#ifdef SO_ATTACH_FILTER
  C(SO_ATTACH_FILTER);
#endif
#ifdef SO_DETACH_FILTER
  C(SO_DETACH_FILTER);
#endif
#ifdef SO_GET_FILTER
  C(SO_GET_FILTER);
#endif
#ifdef SO_PEERNAME
  C(SO_PEERNAME);
#endif
#ifdef SO_TIMESTAMP
  C(SO_TIMESTAMP);
#endif
#ifdef SO_TIMESTAMP_OLD
  C(SO_TIMESTAMP_OLD);
#endif
#ifdef SO_TIMESTAMP_NEW
  C(SO_TIMESTAMP_NEW);
#endif
#ifdef SO_TIMESTAMPNS
  C(SO_TIMESTAMPNS);
#endif
#ifdef SO_TIMESTAMPNS_OLD
  C(SO_TIMESTAMPNS_OLD);
#endif
#ifdef SO_TIMESTAMPNS_NEW
  C(SO_TIMESTAMPNS_NEW);
#endif
#ifdef SO_TIMESTAMPING
  C(SO_TIMESTAMPING);
#endif
#ifdef SO_TIMESTAMPING_OLD
  C(SO_TIMESTAMPING_OLD);
#endif
#ifdef SO_TIMESTAMPING_NEW
  C(SO_TIMESTAMPING_NEW);
#endif
#ifdef SO_ACCEPTCONN
  C(SO_ACCEPTCONN);
#endif
#ifdef SO_PEERSEC
  C(SO_PEERSEC);
#endif
#ifdef SO_PASSSEC
  C(SO_PASSSEC);
#endif
#ifdef SO_MARK
  C(SO_MARK);
#endif
#ifdef SO_PROTOCOL
  C(SO_PROTOCOL);
#endif
#ifdef SO_DOMAIN
  C(SO_DOMAIN);
#endif
#ifdef SO_RXQ_OVFL
  C(SO_RXQ_OVFL);
#endif
#ifdef SO_WIFI_STATUS
  C(SO_WIFI_STATUS);
#endif
#ifdef SO_PEEK_OFF
  C(SO_PEEK_OFF);
#endif
#ifdef SO_NOFCS
  C(SO_NOFCS);
#endif
#ifdef SO_LOCK_FILTER
  C(SO_LOCK_FILTER);
#endif
#ifdef SO_SELECT_ERR_QUEUE
  C(SO_SELECT_ERR_QUEUE);
#endif
#ifdef SO_BUSY_POLL
  C(SO_BUSY_POLL);
#endif
#ifdef SO_MAX_PACING_RATE
  C(SO_MAX_PACING_RATE);
#endif
#ifdef SO_BPF_EXTENSIONS
  C(SO_BPF_EXTENSIONS);
#endif
#ifdef SO_INCOMING_CPU
  C(SO_INCOMING_CPU);
#endif
#ifdef SO_ATTACH_BPF
  C(SO_ATTACH_BPF);
#endif
#ifdef SO_DETACH_BPF
  C(SO_DETACH_BPF);
#endif
#ifdef SO_ATTACH_REUSEPORT_CBPF
  C(SO_ATTACH_REUSEPORT_CBPF);
#endif
#ifdef SO_ATTACH_REUSEPORT_EBPF
  C(SO_ATTACH_REUSEPORT_EBPF);
#endif
#ifdef SO_CNX_ADVICE
  C(SO_CNX_ADVICE);
#endif
#ifdef SO_MEMINFO
  C(SO_MEMINFO);
#endif
#ifdef SO_INCOMING_NAPI_ID
  C(SO_INCOMING_NAPI_ID);
#endif
#ifdef SO_COOKIE
  C(SO_COOKIE);
#endif
#ifdef SO_PEERGROUPS
  C(SO_PEERGROUPS);
#endif
#ifdef SO_ZEROCOPY
  C(SO_ZEROCOPY);
#endif
#ifdef SO_TXTIME
  C(SO_TXTIME);
#endif
#ifdef SO_BINDTOIFINDEX
  C(SO_BINDTOIFINDEX);
#endif
#ifdef SO_DETACH_REUSEPORT_BPF
  C(SO_DETACH_REUSEPORT_BPF);
#endif
#ifdef SO_PREFER_BUSY_POLL
  C(SO_PREFER_BUSY_POLL);
#endif
#ifdef SO_BUSY_POLL_BUDGET
  C(SO_BUSY_POLL_BUDGET);
#endif
#ifdef SO_NETNS_COOKIE
  C(SO_NETNS_COOKIE);
#endif
#ifdef SO_BUF_LOCK
  C(SO_BUF_LOCK);
#endif
#ifdef SO_RESERVE_MEM
  C(SO_RESERVE_MEM);
#endif
#ifdef SO_TXREHASH
  C(SO_TXREHASH);
#endif
#ifdef SO_RCVMARK
  C(SO_RCVMARK);
#endif
#ifdef SO_PASSPIDFD
  C(SO_PASSPIDFD);
#endif
#ifdef SO_PEERPIDFD
  C(SO_PEERPIDFD);
#endif
#ifdef SO_DEVMEM_LINEAR
  C(SO_DEVMEM_LINEAR);
#endif
#ifdef SO_DEVMEM_DMABUF
  C(SO_DEVMEM_DMABUF);
#endif
#ifdef SO_DEVMEM_DONTNEED
  C(SO_DEVMEM_DONTNEED);
#endif
#ifdef SO_RCVPRIORITY
  C(SO_RCVPRIORITY);
#endif
#ifdef SO_PASSRIGHTS
  C(SO_PASSRIGHTS);
#endif

  /* control message types */
  C(SCM_RIGHTS); C(SCM_CREDENTIALS); C(SCM_PIDFD);
#ifdef SCM_SECURITY
  C(SCM_SECURITY);
#endif
#ifdef SCM_TIMESTAMP
  C(SCM_TIMESTAMP);
#endif
#ifdef SCM_TIMESTAMPNS
  C(SCM_TIMESTAMPNS);
#endif
#ifdef SCM_TIMESTAMPING
  C(SCM_TIMESTAMPING);
#endif
#ifdef SCM_WIFI_STATUS
  C(SCM_WIFI_STATUS);
#endif
#ifdef SCM_TIMESTAMPING_OPT_STATS
  C(SCM_TIMESTAMPING_OPT_STATS);
#endif
#ifdef SCM_TIMESTAMPING_PKTINFO
  C(SCM_TIMESTAMPING_PKTINFO);
#endif
#ifdef SCM_TXTIME
  C(SCM_TXTIME);
#endif
  CV("SCM_MAX_FD", XS_SCM_MAX_FD);

  /* protocols */
  C(IPPROTO_IP); C(IPPROTO_IPV6); C(IPPROTO_TCP); C(IPPROTO_UDP);
  C(IPPROTO_ICMP); C(IPPROTO_ICMPV6); C(IPPROTO_RAW);
#ifdef IPPROTO_SCTP
  C(IPPROTO_SCTP);
#endif
#ifdef IPPROTO_UDPLITE
  C(IPPROTO_UDPLITE);
#endif
#ifdef IPPROTO_MPTCP
  C(IPPROTO_MPTCP);
#endif

  /* TCP options */
#ifdef TCP_NODELAY
  C(TCP_NODELAY);
#endif
#ifdef TCP_MAXSEG
  C(TCP_MAXSEG);
#endif
#ifdef TCP_CORK
  C(TCP_CORK);
#endif
#ifdef TCP_KEEPIDLE
  C(TCP_KEEPIDLE);
#endif
#ifdef TCP_KEEPINTVL
  C(TCP_KEEPINTVL);
#endif
#ifdef TCP_KEEPCNT
  C(TCP_KEEPCNT);
#endif
#ifdef TCP_SYNCNT
  C(TCP_SYNCNT);
#endif
#ifdef TCP_LINGER2
  C(TCP_LINGER2);
#endif
#ifdef TCP_DEFER_ACCEPT
  C(TCP_DEFER_ACCEPT);
#endif
#ifdef TCP_WINDOW_CLAMP
  C(TCP_WINDOW_CLAMP);
#endif
#ifdef TCP_INFO
  C(TCP_INFO);
#endif
#ifdef TCP_QUICKACK
  C(TCP_QUICKACK);
#endif
#ifdef TCP_CONGESTION
  C(TCP_CONGESTION);
#endif
#ifdef TCP_USER_TIMEOUT
  C(TCP_USER_TIMEOUT);
#endif
#ifdef TCP_FASTOPEN
  C(TCP_FASTOPEN);
#endif
#ifdef TCP_NOTSENT_LOWAT
  C(TCP_NOTSENT_LOWAT);
#endif
#ifdef TCP_FASTOPEN_CONNECT
  C(TCP_FASTOPEN_CONNECT);
#endif

  /* IPv4 options */
#ifdef IP_TOS
  C(IP_TOS);
#endif
#ifdef IP_TTL
  C(IP_TTL);
#endif
#ifdef IP_HDRINCL
  C(IP_HDRINCL);
#endif
#ifdef IP_OPTIONS
  C(IP_OPTIONS);
#endif
#ifdef IP_RECVERR
  C(IP_RECVERR);
#endif
#ifdef IP_MTU_DISCOVER
  C(IP_MTU_DISCOVER);
#endif
#ifdef IP_MTU
  C(IP_MTU);
#endif
#ifdef IP_FREEBIND
  C(IP_FREEBIND);
#endif
#ifdef IP_MULTICAST_IF
  C(IP_MULTICAST_IF);
#endif
#ifdef IP_MULTICAST_TTL
  C(IP_MULTICAST_TTL);
#endif
#ifdef IP_MULTICAST_LOOP
  C(IP_MULTICAST_LOOP);
#endif
#ifdef IP_ADD_MEMBERSHIP
  C(IP_ADD_MEMBERSHIP);
#endif
#ifdef IP_DROP_MEMBERSHIP
  C(IP_DROP_MEMBERSHIP);
#endif
#ifdef IP_PKTINFO
  C(IP_PKTINFO);
#endif
#ifdef IP_RECVTTL
  C(IP_RECVTTL);
#endif
#ifdef IP_RECVTOS
  C(IP_RECVTOS);
#endif
#ifdef IP_TRANSPARENT
  C(IP_TRANSPARENT);
#endif
#ifdef IP_BIND_ADDRESS_NO_PORT
  C(IP_BIND_ADDRESS_NO_PORT);
#endif

  /* IPv6 options */
#ifdef IPV6_V6ONLY
  C(IPV6_V6ONLY);
#endif
#ifdef IPV6_UNICAST_HOPS
  C(IPV6_UNICAST_HOPS);
#endif
#ifdef IPV6_MULTICAST_IF
  C(IPV6_MULTICAST_IF);
#endif
#ifdef IPV6_MULTICAST_HOPS
  C(IPV6_MULTICAST_HOPS);
#endif
#ifdef IPV6_MULTICAST_LOOP
  C(IPV6_MULTICAST_LOOP);
#endif
#ifdef IPV6_JOIN_GROUP
  C(IPV6_JOIN_GROUP);
#endif
#ifdef IPV6_LEAVE_GROUP
  C(IPV6_LEAVE_GROUP);
#endif
#ifdef IPV6_ADD_MEMBERSHIP
  C(IPV6_ADD_MEMBERSHIP);
#endif
#ifdef IPV6_DROP_MEMBERSHIP
  C(IPV6_DROP_MEMBERSHIP);
#endif
#ifdef IPV6_RECVPKTINFO
  C(IPV6_RECVPKTINFO);
#endif
#ifdef IPV6_PKTINFO
  C(IPV6_PKTINFO);
#endif
#ifdef IPV6_TCLASS
  C(IPV6_TCLASS);
#endif
#ifdef IPV6_RECVERR
  C(IPV6_RECVERR);
#endif
#ifdef IPV6_MTU
  C(IPV6_MTU);
#endif
#ifdef IPV6_MTU_DISCOVER
  C(IPV6_MTU_DISCOVER);
#endif

  /* shutdown, listen, ioctl */
  C(SHUT_RD); C(SHUT_WR); C(SHUT_RDWR); C(SOMAXCONN);
  C(SIOCATMARK); C(FIONREAD); C(SIOCINQ); C(SIOCOUTQ);

  /* poll(2) bits, for pollNow (the watcher uses the POLL_* bits of binding.ts instead) */
  C(POLLIN); C(POLLPRI); C(POLLOUT); C(POLLERR);
  C(POLLHUP); C(POLLNVAL); C(POLLRDHUP);
  C(POLLRDNORM); C(POLLRDBAND); C(POLLWRNORM); C(POLLWRBAND);

  /* descriptor flags */
  C(O_NONBLOCK); C(O_RDWR); C(O_RDONLY); C(O_WRONLY);
  C(O_CLOEXEC); C(F_GETFL); C(F_SETFL); C(F_GETFD);
  C(F_SETFD); C(FD_CLOEXEC); C(F_DUPFD_CLOEXEC); C(F_SETOWN);

  /* splice(2) family */
  C(SPLICE_F_MOVE); C(SPLICE_F_NONBLOCK); C(SPLICE_F_MORE); C(F_SETPIPE_SZ); C(F_GETPIPE_SZ);

  /* sizes and offsets for encoding/decoding structs in TypeScript */
  CV("SIZEOF_SOCKADDR_UN", sizeof(struct sockaddr_un));
  CV("SIZEOF_SOCKADDR_IN", sizeof(struct sockaddr_in));
  CV("SIZEOF_SOCKADDR_IN6", sizeof(struct sockaddr_in6));
  CV("SIZEOF_SOCKADDR_STORAGE", sizeof(struct sockaddr_storage));
  CV("SIZEOF_CMSGHDR", sizeof(struct cmsghdr));
  CV("CMSG_ALIGN_UNIT", sizeof(size_t)); /* CMSG_ALIGN rounds to this */
  CV("SIZEOF_UCRED", sizeof(struct ucred));
  CV("SIZEOF_LINGER", sizeof(struct linger));
  CV("SIZEOF_TIMEVAL", sizeof(struct timeval));
  CV("OFFSETOF_SUN_PATH", offsetof(struct sockaddr_un, sun_path));
  CV("UIO_MAXIOV", XS_MAX_IOV); /* the shim's own iovec cap, equal to the kernel's */

  /* netlink, packet, vsock, raw IP and MPTCP (domains.c) */
  if ((s = xs_domain_constants(env, obj)) != napi_ok) return s;

  /* errno values, from the one table in errno.c */
  return xs_errno_constants(env, obj);
}

napi_status xs_register_constants(napi_env env, napi_value exports) {
  napi_value obj;
  napi_status s = napi_create_object(env, &obj);
  if (s == napi_ok) s = fill(env, obj);
  /* Frozen so one consumer cannot corrupt a value every other module relies on. */
  if (s == napi_ok) s = napi_object_freeze(env, obj);
  if (s != napi_ok) return s;
  napi_property_descriptor d = {
    "constants", NULL, NULL, NULL, NULL, obj, napi_enumerable, NULL,
  };
  return napi_define_properties(env, exports, 1, &d);
}
