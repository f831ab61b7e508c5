/*
 * Constants of the communication domains beyond unix and inet: netlink, packet, vsock,
 * raw IP and MPTCP. Kept apart from constants.c because these come from the kernel's uapi
 * headers (linux/netlink.h, linux/if_packet.h ...), which a libc may lack; every name is
 * guarded so a missing one is simply absent and the TypeScript side treats it as
 * unsupported.
 */
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "xsock.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef SOL_PACKET
#define SOL_PACKET 263
#endif
#ifndef SOL_MPTCP
#define SOL_MPTCP 284
#endif
/* linux/mptcp.h clashes with netinet/in.h on older libcs; these two are all we need. */
#ifndef MPTCP_INFO
#define MPTCP_INFO 1
#endif
#ifndef MPTCP_TCPINFO
#define MPTCP_TCPINFO 2
#endif

#include "constant-table.h"

napi_status xs_domain_constants(napi_env env, napi_value obj) {
  napi_status s;

  /* families, levels */
#ifdef AF_VSOCK
  C(AF_VSOCK); C(PF_VSOCK);
#endif
  C(SOL_NETLINK); C(SOL_PACKET); C(SOL_MPTCP);

  /* netlink protocols (the socket() protocol argument of AF_NETLINK) */
  C(NETLINK_ROUTE); C(NETLINK_USERSOCK); C(NETLINK_FIREWALL); C(NETLINK_SOCK_DIAG);
  C(NETLINK_NFLOG); C(NETLINK_XFRM); C(NETLINK_SELINUX); C(NETLINK_ISCSI);
  C(NETLINK_AUDIT); C(NETLINK_FIB_LOOKUP); C(NETLINK_CONNECTOR); C(NETLINK_NETFILTER);
  C(NETLINK_IP6_FW); C(NETLINK_DNRTMSG); C(NETLINK_KOBJECT_UEVENT); C(NETLINK_GENERIC);
  C(NETLINK_SCSITRANSPORT); C(NETLINK_ECRYPTFS); C(NETLINK_RDMA); C(NETLINK_CRYPTO);
#ifdef NETLINK_SMC
  C(NETLINK_SMC);
#endif
  /* SOL_NETLINK options */
  C(NETLINK_ADD_MEMBERSHIP); C(NETLINK_DROP_MEMBERSHIP); C(NETLINK_PKTINFO);
  C(NETLINK_BROADCAST_ERROR); C(NETLINK_NO_ENOBUFS); C(NETLINK_LISTEN_ALL_NSID);
  C(NETLINK_LIST_MEMBERSHIPS); C(NETLINK_CAP_ACK);
#ifdef NETLINK_EXT_ACK
  C(NETLINK_EXT_ACK);
#endif
#ifdef NETLINK_GET_STRICT_CHK
  C(NETLINK_GET_STRICT_CHK);
#endif
  /* message framing */
  C(NLMSG_NOOP); C(NLMSG_ERROR); C(NLMSG_DONE); C(NLMSG_OVERRUN);
  C(NLMSG_MIN_TYPE); C(NLMSG_ALIGNTO); C(NLMSG_HDRLEN);
  C(NLM_F_REQUEST); C(NLM_F_MULTI); C(NLM_F_ACK); C(NLM_F_ECHO);
  C(NLM_F_DUMP_INTR); C(NLM_F_ROOT); C(NLM_F_MATCH); C(NLM_F_ATOMIC);
  C(NLM_F_DUMP); C(NLM_F_REPLACE); C(NLM_F_EXCL); C(NLM_F_CREATE);
  C(NLM_F_APPEND);
#ifdef NLM_F_CAPPED
  C(NLM_F_CAPPED); C(NLM_F_ACK_TLVS);
#endif
  CV("SIZEOF_SOCKADDR_NL", sizeof(struct sockaddr_nl));
  CV("SIZEOF_NLMSGHDR", sizeof(struct nlmsghdr));
  /* rtnetlink: the messages, groups and attributes the helpers use */
  C(RTM_NEWLINK); C(RTM_DELLINK); C(RTM_GETLINK); C(RTM_NEWADDR);
  C(RTM_DELADDR); C(RTM_GETADDR); C(RTM_NEWROUTE); C(RTM_DELROUTE);
  C(RTM_GETROUTE);
  C(RTMGRP_LINK); C(RTMGRP_NOTIFY); C(RTMGRP_NEIGH); C(RTMGRP_TC);
  C(RTMGRP_IPV4_IFADDR); C(RTMGRP_IPV4_ROUTE); C(RTMGRP_IPV6_IFADDR); C(RTMGRP_IPV6_ROUTE);
  C(RTNLGRP_LINK); C(RTNLGRP_IPV4_IFADDR); C(RTNLGRP_IPV6_IFADDR);
  C(IFLA_ADDRESS); C(IFLA_BROADCAST); C(IFLA_IFNAME); C(IFLA_MTU);
  C(IFLA_LINK); C(IFLA_OPERSTATE); C(IFLA_TXQLEN); C(IFLA_MASTER);
  C(IFA_ADDRESS); C(IFA_LOCAL); C(IFA_LABEL); C(IFA_BROADCAST);
  C(IFA_FLAGS);
  CV("SIZEOF_IFINFOMSG", sizeof(struct ifinfomsg));
  CV("SIZEOF_IFADDRMSG", sizeof(struct ifaddrmsg));
  CV("SIZEOF_RTATTR", sizeof(struct rtattr));
  C(IFF_UP); C(IFF_BROADCAST); C(IFF_LOOPBACK); C(IFF_POINTOPOINT);
  C(IFF_RUNNING); C(IFF_NOARP); C(IFF_PROMISC); C(IFF_MULTICAST);
#ifdef IFF_LOWER_UP
  C(IFF_LOWER_UP);
#else
  CV("IFF_LOWER_UP", 0x10000); /* linux/if.h; glibc net/if.h omits it */
#endif
  C(IF_NAMESIZE);

  /* packet: ethertypes (host order here; the kernel wants network order) */
  C(ETH_P_ALL); C(ETH_P_IP); C(ETH_P_ARP); C(ETH_P_IPV6);
  C(ETH_P_8021Q); C(ETH_P_LOOP); C(ETH_P_802_EX1);
#ifdef ETH_P_LLDP
  C(ETH_P_LLDP);
#endif
  C(ETH_ALEN); C(ETH_HLEN); C(ETH_FRAME_LEN);
  /* sll_pkttype */
  C(PACKET_HOST); C(PACKET_BROADCAST); C(PACKET_MULTICAST); C(PACKET_OTHERHOST);
  C(PACKET_OUTGOING); C(PACKET_LOOPBACK);
  /* SOL_PACKET options */
  C(PACKET_ADD_MEMBERSHIP); C(PACKET_DROP_MEMBERSHIP); C(PACKET_AUXDATA); C(PACKET_ORIGDEV);
  C(PACKET_STATISTICS); C(PACKET_VERSION); C(PACKET_FANOUT); C(PACKET_QDISC_BYPASS);
#ifdef PACKET_IGNORE_OUTGOING
  C(PACKET_IGNORE_OUTGOING);
#endif
  C(PACKET_MR_MULTICAST); C(PACKET_MR_PROMISC); C(PACKET_MR_ALLMULTI);
  CV("SIZEOF_SOCKADDR_LL", sizeof(struct sockaddr_ll));
  CV("SIZEOF_PACKET_MREQ", sizeof(struct packet_mreq));
  CV("SIZEOF_TPACKET_AUXDATA", sizeof(struct tpacket_auxdata));
  CV("SIZEOF_TPACKET_STATS", sizeof(struct tpacket_stats));

  /* vsock */
  CV("VMADDR_CID_ANY", VMADDR_CID_ANY); CV("VMADDR_PORT_ANY", VMADDR_PORT_ANY);
  C(VMADDR_CID_HYPERVISOR); C(VMADDR_CID_HOST);
#ifdef VMADDR_CID_LOCAL
  C(VMADDR_CID_LOCAL);
#else
  CV("VMADDR_CID_LOCAL", 1);
#endif
  CV("SIZEOF_SOCKADDR_VM", sizeof(struct sockaddr_vm));

  /* raw IP and MPTCP */
#ifdef IPPROTO_MPTCP
  C(IPPROTO_MPTCP);
#else
  CV("IPPROTO_MPTCP", 262);
#endif
  C(MPTCP_INFO); C(MPTCP_TCPINFO);
#ifdef IP_HDRINCL
  C(IP_HDRINCL);
#endif
#ifdef IPV6_CHECKSUM
  C(IPV6_CHECKSUM);
#endif
  return napi_ok;
}
