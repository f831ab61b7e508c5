/*
 * SIGURG on every environment's loop: the kernel's only report of a TCP urgent pointer
 * whose byte is still held back (POLLPRI waits for the byte).
 *
 * The signal goes to the process (fcntl F_SETOWN), lands on whichever thread does not
 * block it, and cannot say which descriptor it is about (no si_fd). So each environment
 * that listens holds one uv_signal_t for SIGURG on its own loop. libuv keeps a single
 * process-wide sigaction handler for all loops whose only work is an async-signal-safe
 * write(2) to each listening loop's signal pipe; the loop then calls the JS function here,
 * which probes its own sockets. The same table serves Node's process.on('SIGURG') (main
 * thread), so a user's listener and ours share one handler: neither replaces the other,
 * and the handler stays installed while either listens. No policy here: JS decides when
 * to listen and what a signal means.
 */
#include <signal.h>
#include <stdlib.h>

#include "xsock.h"

struct xs_sigurg {
  uv_signal_t sig;
  napi_env env;
  xs_state *st;                        /* cleared in teardown: st may be freed after it */
  napi_ref fn;                         /* JS () => void, called on each delivery */
  napi_async_context ctx;
  napi_async_cleanup_hook_handle hook; /* held until libuv closed the handle */
};

static void on_signal(uv_signal_t *h, int signum) {
  xs_sigurg *u = h->data;
  napi_env env = u->env;
  if (u->fn == NULL) return;
  xs_make_callback(env, u->ctx, u->fn, 0, 0);
}

static void on_close(uv_handle_t *h) {
  xs_sigurg *u = h->data;
  napi_async_cleanup_hook_handle hook = u->hook;
  free(u);
  napi_remove_async_cleanup_hook(hook);
}

/* Environment teardown (exit, worker exit or terminate()): the handle leaves libuv's table
 * (which uninstalls the process handler when no loop listens any more), then is freed. */
static void teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  xs_sigurg *u = arg;
  if (u->st) u->st->sigurg = NULL;
  u->st = NULL;
  if (u->fn) napi_delete_reference(u->env, u->fn);
  u->fn = NULL;
  if (u->ctx) napi_async_destroy(u->env, u->ctx);
  u->ctx = NULL;
  u->hook = handle;
  uv_close((uv_handle_t *)&u->sig, on_close);
}

/* This environment's SIGURG handle, made on first use (NULL and *err = -errno on failure). */
static xs_sigurg *sigurg_of(napi_env env, xs_state *st, int *err) {
  if (st->sigurg) return st->sigurg;
  uv_loop_t *loop;
  xs_sigurg *u = xs_loop_calloc(env, sizeof *u, &loop, err);
  if (u == NULL) return NULL;
  napi_value name;
  if (napi_create_string_utf8(env, "xsock:sigurg", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &u->ctx) != napi_ok) {
    free(u);
    *err = -ENOMEM;
    return NULL;
  }
  int r = uv_signal_init(loop, &u->sig);
  if (r != 0) {
    napi_async_destroy(env, u->ctx);
    free(u);
    *err = r;
    return NULL;
  }
  u->sig.data = u;
  u->env = env;
  u->st = st;
  /* Like Node's own signal handles: listening does not keep the process alive. */
  uv_unref((uv_handle_t *)&u->sig);
  if (napi_add_async_cleanup_hook(env, teardown, u, NULL) != napi_ok) {
    /* Cannot happen in practice; close at once rather than leave a handle untracked. */
    u->hook = NULL;
    napi_async_destroy(env, u->ctx);
    uv_close((uv_handle_t *)&u->sig, (uv_close_cb)free);
    *err = -ENOMEM;
    return NULL;
  }
  st->sigurg = u;
  return u;
}

/* sigurgListen(fn): uv_signal_start(SIGURG) on this environment's loop — sigaction(2) the
 * first time any loop of the process listens — calling fn() after each delivery. */
static napi_value js_sigurg_listen(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (!xs_args(env, info, 1, a)) return NULL;
  napi_valuetype vt;
  if (napi_typeof(env, a[0], &vt) != napi_ok || vt != napi_function) {
    napi_throw_type_error(env, "ERR_XSOCK_INVALID_ARG_TYPE", "The \"fn\" argument must be a function");
    return NULL;
  }
  xs_state *st = xs_state_of(env);
  int err = 0;
  xs_sigurg *u = sigurg_of(env, st, &err);
  if (u == NULL) return xs_num(env, err);
  napi_ref fn;
  if (napi_create_reference(env, a[0], 1, &fn) != napi_ok) return NULL;
  if (u->fn) napi_delete_reference(env, u->fn);
  u->fn = fn;
  return xs_num(env, uv_signal_start(&u->sig, on_signal, SIGURG));
}

/* sigurgUnlisten(): uv_signal_stop — sigaction(2) back to the default when no loop of the
 * process (and no process.on('SIGURG')) listens any more. */
static napi_value js_sigurg_unlisten(napi_env env, napi_callback_info info) {
  xs_state *st = xs_state_of(env);
  if (st->sigurg == NULL) return xs_num(env, 0);
  return xs_num(env, uv_signal_stop(&st->sigurg->sig));
}

napi_status xs_register_sigurg(napi_env env, napi_value exports) {
  static const napi_property_descriptor d[] = {
    XS_FN("sigurgListen", js_sigurg_listen),
    XS_FN("sigurgUnlisten", js_sigurg_unlisten),
  };
  return napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
