// Must not compile: dependencies point one way, http -> service, never back.
#include "nfmetrics/http/router.hpp"
