// Rows of text in aligned columns, as the terminal clients (`nfmetrics diagnose`, `nfmetrics
// capacity`) print their tables.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace nfmetrics::app {

using TextRow = std::vector<std::string>;

// Rows in columns two spaces apart; the columns flagged in `right` right-aligned (numbers),
// trailing spaces dropped (a left-aligned last column is not padded). Widths count code points
// (DisplayWidth).
void WriteColumns(std::ostream& out, const std::vector<TextRow>& rows,
                  const std::vector<bool>& right);

}  // namespace nfmetrics::app
