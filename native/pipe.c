/*
 * pipe2(2), for the one place xsock compares sockets with the oldest IPC channel
 * (`xsock semantics`). Non-blocking and close-on-exec like every descriptor we make.
 */
#include <fcntl.h>
#include <unistd.h>

#include "xsock.h"

/* pipe2(2) with O_NONBLOCK|O_CLOEXEC; read end in scratch[0], write end in scratch[1]. */
static napi_value js_pipe(napi_env env, napi_callback_info info) {
  int fds[2];
  int r = pipe2(fds, O_NONBLOCK | O_CLOEXEC);
  if (r == 0) {
    int32_t *scratch = xs_state_of(env)->scratch;
    scratch[0] = fds[0];
    scratch[1] = fds[1];
  }
  return xs_num(env, XS_RESULT(r));
}

napi_status xs_register_pipe(napi_env env, napi_value exports) {
  static const napi_property_descriptor d[] = { XS_FN("pipe", js_pipe) };
  return napi_define_properties(env, exports, 1, d);
}
