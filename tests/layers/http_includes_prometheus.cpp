// Must not compile: the HTTP layer talks to the service only, never to the data-access layer.
#include "nfmetrics/prometheus/client.hpp"
