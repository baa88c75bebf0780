/* Priority-0 adverts sent from C when a tracked interface goes down. See link_trigger.c. */
#ifndef FLOATIP_LINK_TRIGGER_H
#define FLOATIP_LINK_TRIGGER_H

#include <node_api.h>

/* Adds openLinkTrigger() to exports. */
napi_value link_trigger_init(napi_env env, napi_value exports);

#endif
