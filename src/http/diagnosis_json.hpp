// service::Diagnosis -> GET /api/v1/diagnosis's JSON answer (docs/api.md).
#pragma once

#include <string>

#include "nfmetrics/service/diagnosis.hpp"

namespace nfmetrics::http {

std::string DiagnosisJson(const service::Diagnosis& diagnosis);

}  // namespace nfmetrics::http
