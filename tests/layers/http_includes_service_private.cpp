// Must not compile: a layer's private headers (src/<layer>/) are its own.
#include "service/results_cache.hpp"
