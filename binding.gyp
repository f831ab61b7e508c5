{
  "targets": [{
    "target_name": "xsock",
    "sources": [
      "native/addon.c", "native/errno.c", "native/socket.c", "native/msg.c",
      "native/sockopt.c", "native/watcher.c", "native/constants.c", "native/owned.c",
      "native/domains.c", "native/ifname.c", "native/pipe.c",
      "native/splice.c", "native/sigurg.c", "native/addrslot.c"
    ],
    "cflags": ["-O2", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"],
    "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"]
  }]
}
