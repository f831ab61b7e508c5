/*
 * Module entry, per-environment state and the argument helpers shared by every file.
 *
 * NAPI_MODULE_INIT (not NAPI_MODULE) so Node runs it once per environment: the main
 * thread and each worker get their own exports, constants and xs_state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsock.h"

/* Thrown for argument type errors; same code as the TypeScript error registry. */
#define XS_TYPE_CODE "ERR_XSOCK_INVALID_ARG_TYPE"

xs_state *xs_state_of(napi_env env) {
  void *st = NULL;
  napi_get_instance_data(env, &st);
  return st;
}

bool xs_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  /* Missing arguments come back as undefined, so the per-argument checks report them. */
  size_t argc = n;
  return napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok;
}

bool xs_args_data(napi_env env, napi_callback_info info, size_t n, napi_value *argv, void **data) {
  size_t argc = n;
  return napi_get_cb_info(env, info, &argc, argv, NULL, data) == napi_ok;
}

static void throw_type(napi_env env, const char *name, const char *expected) {
  char msg[160];
  snprintf(msg, sizeof msg, "The \"%s\" argument must be %s", name, expected);
  napi_throw_type_error(env, XS_TYPE_CODE, msg);
}

bool xs_int(napi_env env, napi_value v, const char *name, int32_t *out) {
  /* napi_get_value_int32 already rejects non-numbers, so no separate typeof is needed. */
  if (napi_get_value_int32(env, v, out) == napi_ok) return true;
  throw_type(env, name, "a number");
  return false;
}

bool xs_uint(napi_env env, napi_value v, const char *name, uint32_t *out) {
  if (napi_get_value_uint32(env, v, out) == napi_ok) return true;
  throw_type(env, name, "a number");
  return false;
}

bool xs_i64(napi_env env, napi_value v, const char *name, int64_t *out) {
  /* Offsets and lengths are read as int64 so a negative or huge value is caught by the
   * range check instead of wrapping into something that looks valid. */
  if (napi_get_value_int64(env, v, out) == napi_ok) return true;
  throw_type(env, name, "a number");
  return false;
}

static size_t elem_size(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    default: return 8; /* float64, bigint64, biguint64 */
  }
}

bool xs_bytes_get(napi_env env, napi_value v, xs_bytes *out) {
  napi_typedarray_type t;
  size_t n;
  void *data;
  out->is_null = false;
  /* napi_get_buffer_info first: every hot-path call passes a Buffer or Uint8Array, and
   * Node answers it with the byte length without napi_get_typedarray_info's dispatch on
   * the element type (a chain of V8 type checks, ~3% of a one-way seqpacket workload's
   * samples). The two below are the documented way for every other view. */
  if (napi_get_buffer_info(env, v, &data, &n) == napi_ok) {
    out->data = data;
    out->len = n;
    return true;
  }
  if (napi_get_typedarray_info(env, v, &t, &n, &data, NULL, NULL) == napi_ok) {
    out->data = data;
    out->len = n * elem_size(t);
    return true;
  }
  if (napi_get_dataview_info(env, v, &n, &data, NULL, NULL) == napi_ok) {
    out->data = data;
    out->len = n;
    return true;
  }
  return false;
}

bool xs_bytes_arg(napi_env env, napi_value v, const char *name, bool nullable, xs_bytes *out) {
  /* null first where it is allowed: the usual "no address" costs one check, not two
   * failed view lookups. */
  napi_valuetype vt;
  if (nullable && napi_typeof(env, v, &vt) == napi_ok && vt == napi_null) {
    out->data = NULL;
    out->len = 0;
    out->is_null = true;
    return true;
  }
  if (xs_bytes_get(env, v, out)) return true;
  throw_type(env, name, nullable ? "a TypedArray or null" : "a TypedArray");
  return false;
}

bool xs_range_ok(int64_t off, int64_t len, size_t total) {
  return off >= 0 && len >= 0 && (uint64_t)off <= total && (uint64_t)len <= total - (uint64_t)off;
}

napi_value xs_num(napi_env env, int64_t v) {
  napi_value r = NULL;
  if (v >= INT32_MIN && v <= INT32_MAX) napi_create_int32(env, (int32_t)v, &r);
  else napi_create_int64(env, v, &r);
  return r;
}

/* Zeroed memory for a per-environment holder of libuv handles, and the environment's loop
 * (NULL, *err = -errno, when either cannot be had). */
void *xs_loop_calloc(napi_env env, size_t size, uv_loop_t **loop, int *err) {
  if (napi_get_uv_event_loop(env, loop) != napi_ok) {
    *err = -EINVAL;
    return NULL;
  }
  void *p = calloc(1, size);
  if (p == NULL) *err = -ENOMEM;
  return p;
}

/* Calls the referenced function from a libuv callback through napi_make_callback (with
 * `arg` when argc is 1), so async hooks see a callback scope and the microtask and nextTick
 * queues are drained after it, as after Node's own I/O. An exception goes to Node's
 * uncaught-exception machinery exactly like one from core I/O, never takes the loop down
 * from C. */
void xs_make_callback(napi_env env, napi_async_context ctx, napi_ref fn_ref, size_t argc, int32_t arg) {
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, argv[1], result;
  if (napi_get_reference_value(env, fn_ref, &fn) == napi_ok && fn != NULL &&
      napi_get_global(env, &recv) == napi_ok &&
      (argc == 0 || napi_create_int32(env, arg, &argv[0]) == napi_ok) &&
      napi_make_callback(env, ctx, recv, fn, argc, argv, &result) != napi_ok) {
    bool pending = false;
    napi_value err;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
        napi_get_and_clear_last_exception(env, &err) == napi_ok)
      napi_fatal_exception(env, err);
  }
  napi_close_handle_scope(env, scope);
}

napi_value xs_undefined(napi_env env) {
  napi_value r = NULL;
  napi_get_undefined(env, &r);
  return r;
}

/* init(dispatch, scratch, events): stores the readiness dispatch function, the
 * out-parameter array and the array readiness events are delivered in. */
static napi_value js_init(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!xs_args(env, info, 3, argv)) return NULL;
  xs_state *st = xs_state_of(env);

  napi_valuetype vt;
  if (napi_typeof(env, argv[0], &vt) != napi_ok || vt != napi_function) {
    throw_type(env, "dispatch", "a function");
    return NULL;
  }
  napi_typedarray_type t;
  size_t n;
  void *data;
  if (napi_get_typedarray_info(env, argv[1], &t, &n, &data, NULL, NULL) != napi_ok ||
      t != napi_int32_array) {
    throw_type(env, "scratch", "an Int32Array");
    return NULL;
  }
  if (n < XS_SCRATCH_MIN) {
    napi_throw_range_error(env, "ERR_XSOCK_OUT_OF_RANGE",
                           "The \"scratch\" argument must have at least 16 elements");
    return NULL;
  }
  size_t en;
  void *edata;
  if (napi_get_typedarray_info(env, argv[2], &t, &en, &edata, NULL, NULL) != napi_ok ||
      t != napi_int32_array || en < 2) {
    throw_type(env, "events", "an Int32Array of (id, bits) pairs");
    return NULL;
  }

  /* The async context is created once and shared: every watcher callback is the same
   * kind of event, and one context avoids an allocation per watcher. */
  if (st->async_ctx == NULL) {
    napi_value name;
    if (napi_create_string_utf8(env, "xsock:poll", NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_async_init(env, NULL, name, &st->async_ctx) != napi_ok)
      return NULL;
  }

  /* Re-init replaces both; the strong ref keeps the scratch buffer (and so the cached
   * pointer) alive for as long as we may write through it. */
  napi_ref dispatch, scratch, events;
  if (napi_create_reference(env, argv[0], 1, &dispatch) != napi_ok) return NULL;
  if (napi_create_reference(env, argv[1], 1, &scratch) != napi_ok) {
    napi_delete_reference(env, dispatch);
    return NULL;
  }
  if (napi_create_reference(env, argv[2], 1, &events) != napi_ok) {
    napi_delete_reference(env, dispatch);
    napi_delete_reference(env, scratch);
    return NULL;
  }
  if (st->dispatch) napi_delete_reference(env, st->dispatch);
  if (st->scratch_ref) napi_delete_reference(env, st->scratch_ref);
  if (st->events_ref) napi_delete_reference(env, st->events_ref);
  st->dispatch = dispatch;
  st->scratch_ref = scratch;
  st->scratch = data;
  st->events_ref = events;
  st->events = edata;
  st->events_cap = en / 2;
  /* The epoll instance is made now, not at the first wait, so a process's descriptor
   * count does not change under it later. */
  int err = 0;
  if (xs_poller_of(env, st, &err) == NULL) {
    napi_throw_error(env, NULL, "xsock: cannot create the epoll instance for readiness");
    return NULL;
  }
  return xs_undefined(env);
}

/* The scratch in use before init() and after teardown. Its data-call fd slot is -1, so a
 * data call made then fails with EBADF instead of reaching descriptor 0. */
static void use_fallback_scratch(xs_state *st) {
  memset(st->scratch_fallback, 0, sizeof st->scratch_fallback);
  st->scratch_fallback[XS_DATA_ARGS] = -1;
  st->scratch = st->scratch_fallback;
}

static void finalize_state(napi_env env, void *data, void *hint) {
  xs_state *st = data;
  if (st->dispatch) napi_delete_reference(env, st->dispatch);
  if (st->scratch_ref) napi_delete_reference(env, st->scratch_ref);
  if (st->events_ref) napi_delete_reference(env, st->events_ref);
  /* Normally done by the teardown hook already (then a no-op): the bitmap is about to go. */
  xs_owned_close_all(st);
  if (st->owned_ref) napi_delete_reference(env, st->owned_ref);
  xs_slots_release(env, st);
  st->dispatch = st->scratch_ref = st->events_ref = st->owned_ref = NULL;
  st->events = NULL;
  st->events_cap = 0;
  use_fallback_scratch(st);
  /* Normally already destroyed by the teardown hook; this covers any other order. */
  if (st->async_ctx) napi_async_destroy(env, st->async_ctx);
  st->async_ctx = NULL;
  xs_state_release(st);
}

NAPI_MODULE_INIT() {
  xs_state *st = calloc(1, sizeof *st);
  if (st == NULL) {
    napi_throw_error(env, NULL, "xsock: out of memory");
    return NULL;
  }
  st->env = env;
  use_fallback_scratch(st);
  if (napi_set_instance_data(env, st, finalize_state, NULL) != napi_ok) {
    free(st);
    return NULL;
  }
  /* Async (not plain) cleanup hook: Node keeps running the loop until we report that the
   * uv_close callbacks of the remaining watchers have run, so a worker can exit with
   * watchers still open without leaking or tripping uv_loop_close. */
  if (napi_add_async_cleanup_hook(env, xs_watchers_teardown, st, NULL) != napi_ok) return NULL;

  static const napi_property_descriptor own[] = { XS_FN("init", js_init) };
  if (napi_define_properties(env, exports, 1, own) != napi_ok ||
      xs_register_errno(env, exports) != napi_ok ||
      xs_register_socket(env, exports) != napi_ok ||
      xs_register_msg(env, exports) != napi_ok ||
      xs_register_sockopt(env, exports) != napi_ok ||
      xs_register_watcher(env, exports) != napi_ok ||
      xs_register_constants(env, exports) != napi_ok ||
      xs_register_owned(env, exports) != napi_ok ||
      xs_register_ifname(env, exports) != napi_ok ||
      xs_register_pipe(env, exports) != napi_ok ||
      xs_register_splice(env, exports) != napi_ok ||
      xs_register_sigurg(env, exports) != napi_ok ||
      xs_register_addrslot(env, exports) != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) napi_throw_error(env, NULL, "xsock: module initialisation failed");
    return NULL;
  }
  return exports;
}
