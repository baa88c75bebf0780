/* A sub-millisecond timer on Node's loop (timerfd); see precise_timer.c. */
#ifndef FLOATIP_PRECISE_TIMER_H
#define FLOATIP_PRECISE_TIMER_H

#include <node_api.h>

/* Adds openPreciseTimer(onFire) to exports. */
napi_value precise_timer_init(napi_env env, napi_value exports);

#endif
