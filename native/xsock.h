/*
 * Shared declarations of the xsock native shim.
 *
 * The shim is deliberately thin: each exported function is one non-blocking system call
 * whose result (or -errno) goes straight back to JavaScript. All policy lives in
 * TypeScript (src/). The contract is src/binding.ts.
 *
 * Nothing here is global: every piece of per-environment state hangs off xs_state, the
 * Node-API instance data, so the addon can be loaded by several worker threads at once.
 */
#ifndef XSOCK_H
#define XSOCK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4, recvmmsg, sendmmsg, MSG_CMSG_CLOEXEC, GNU strerror_r */
#endif

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <node_api.h>
#include <uv.h>

/* The kernel's limit on iovecs and mmsghdrs per call; larger requests are -EINVAL. */
#define XS_MAX_IOV 1024
#define XS_MAX_MMSG 1024
/* Address slot per message in recvmmsg: sizeof(struct sockaddr_storage). */
#define XS_ADDR_SLOT 128
/* Minimum scratch entries: out-parameters in [0, 4) (recvmsg writes three), the data
 * calls' scalar arguments and result in [XS_DATA_ARGS, XS_DATA_ARGS + 6) (socket.c), the
 * watcher's two flags at the end. */
#define XS_DATA_ARGS 8
#define XS_SCRATCH_MIN 16
/* scratch[XS_IN_DISPATCH] is 1 while the watcher's callback (and the microtasks after it)
 * runs; scratch[XS_WANT_REF] is whether JavaScript has waiters. A change of the latter made
 * inside the callback is applied to the loop once the callback returns (watcher.c). */
#define XS_IN_DISPATCH 14
#define XS_WANT_REF 15

typedef struct xs_poller xs_poller;

/* A Uint8Array JavaScript registered for the shim to read or write (addrslot.c). */
typedef struct xs_slot {
  napi_ref ref;                    /* keeps the view (and its backing store) alive */
  uint8_t *data;                   /* its data, or NULL before registration */
  size_t len;                      /* its byte length */
} xs_slot;
typedef struct xs_sigurg xs_sigurg;

/* Per-environment state (Node-API instance data). */
typedef struct xs_state {
  napi_env env;                    /* the environment this state belongs to */
  napi_ref dispatch;               /* JS (count) => void, set by init(): events[0, 2*count) are (id, bits) */
  napi_ref events_ref;             /* keeps the events Int32Array alive */
  int32_t *events;                 /* its data: (id, bits) pairs */
  size_t events_cap;               /* pairs it holds */
  napi_ref scratch_ref;            /* keeps the scratch Int32Array (and its buffer) alive */
  int32_t *scratch;                /* cached data pointer of scratch; see scratch_fallback */
  int32_t scratch_fallback[XS_SCRATCH_MIN]; /* used before init() so scratch is never NULL */
  napi_async_context async_ctx;    /* one context for all watcher callbacks */
  xs_poller *poller;               /* the environment's epoll instance, made on first watch */
  size_t closing;                  /* uv_close() issued, close callback not yet run */
  napi_async_cleanup_hook_handle teardown; /* non-NULL while env teardown waits on closes */
  bool finalized;                  /* instance data finalizer ran while closes were pending */
  napi_ref owned_ref;              /* keeps JavaScript's bitmap of owned fds alive (owned.c) */
  uint8_t *owned;                  /* its data: bit fd set while a live Socket owns fd */
  size_t owned_bytes;              /* its byte length */
  xs_sigurg *sigurg;               /* the environment's SIGURG handle, made on first listen (sigurg.c) */
  xs_slot slot_dest;               /* connect(2)'s destination address (addrslot.c) */
  xs_slot slot_peer;               /* accept4(2)'s peer address (addrslot.c) */
} xs_state;

/* Retries a syscall expression while it fails with EINTR. */
#define XS_RETRY(expr)                                   \
  ({                                                     \
    __typeof__(expr) xs_r_;                              \
    do { xs_r_ = (expr); } while (xs_r_ == -1 && errno == EINTR); \
    xs_r_;                                               \
  })

/* Maps a syscall result to the JS convention: the result, or -errno. */
#define XS_RESULT(r) ((r) < 0 ? -(int64_t)errno : (int64_t)(r))

/* A byte view of a JS TypedArray/DataView (or null when allowed). */
typedef struct xs_bytes {
  uint8_t *data;
  size_t len;     /* byte length */
  bool is_null;
} xs_bytes;

/* ---- util (addon.c) ----
 * Argument helpers: on a type mismatch they throw a TypeError naming the argument and
 * return false; the caller then returns NULL to JS. */
xs_state *xs_state_of(napi_env env);
bool xs_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv);
/* xs_args, and the data pointer the function was defined with (xs_state for the per-message
 * calls: napi_get_cb_info hands it over in the same call, no napi_get_instance_data). */
bool xs_args_data(napi_env env, napi_callback_info info, size_t n, napi_value *argv, void **data);
bool xs_int(napi_env env, napi_value v, const char *name, int32_t *out);
bool xs_uint(napi_env env, napi_value v, const char *name, uint32_t *out);
bool xs_i64(napi_env env, napi_value v, const char *name, int64_t *out);
/* Non-throwing: a TypedArray or DataView (never null). */
bool xs_bytes_get(napi_env env, napi_value v, xs_bytes *out);
bool xs_bytes_arg(napi_env env, napi_value v, const char *name, bool nullable, xs_bytes *out);
/* True when [off, off+len) lies inside a view of byte length `total`. */
bool xs_range_ok(int64_t off, int64_t len, size_t total);
napi_value xs_num(napi_env env, int64_t v);
napi_value xs_undefined(napi_env env);
void *xs_loop_calloc(napi_env env, size_t size, uv_loop_t **loop, int *err);
void xs_make_callback(napi_env env, napi_async_context ctx, napi_ref fn_ref, size_t argc, int32_t arg);

/* ---- registration: each source file defines its own exports ---- */
napi_status xs_register_errno(napi_env env, napi_value exports);
napi_status xs_register_socket(napi_env env, napi_value exports);
napi_status xs_register_msg(napi_env env, napi_value exports);
napi_status xs_register_sockopt(napi_env env, napi_value exports);
napi_status xs_register_watcher(napi_env env, napi_value exports);
napi_status xs_register_constants(napi_env env, napi_value exports);
napi_status xs_register_owned(napi_env env, napi_value exports);
napi_status xs_register_ifname(napi_env env, napi_value exports);
napi_status xs_register_pipe(napi_env env, napi_value exports);
napi_status xs_register_splice(napi_env env, napi_value exports);
napi_status xs_register_sigurg(napi_env env, napi_value exports);
napi_status xs_register_addrslot(napi_env env, napi_value exports);
/* addrslot.c: drops the references to the address slots (instance data finalizer). */
void xs_slots_release(napi_env env, xs_state *st);
/* owned.c: closes every fd still owned (environment teardown) and forgets the bitmap. */
void xs_owned_close_all(xs_state *st);

/* errno.c: adds every E* name of the errno table to `obj` (used by constants.c). */
napi_status xs_errno_constants(napi_env env, napi_value obj);
/* domains.c: adds the netlink, packet, vsock, raw IP and MPTCP constants to `obj`. */
napi_status xs_domain_constants(napi_env env, napi_value obj);

/* watcher.c: the environment's epoll instance, made once (NULL and *err = -errno on failure). */
xs_poller *xs_poller_of(napi_env env, xs_state *st, int *err);
/* watcher.c: env-teardown hook; closes every live watcher. */
void xs_watchers_teardown(napi_async_cleanup_hook_handle handle, void *arg);
/* watcher.c: frees the state now, or defers it to the last pending close callback. */
void xs_state_release(xs_state *st);

/* Convenience for the per-file property tables. */
#define XS_FN(name, fn) \
  { name, NULL, fn, NULL, NULL, NULL, napi_writable | napi_enumerable | napi_configurable, NULL }
#define XS_FN_DATA(name, fn, data) \
  { name, NULL, fn, NULL, NULL, NULL, napi_writable | napi_enumerable | napi_configurable, data }

#endif /* XSOCK_H */
