#include "app/text_columns.hpp"

#include <algorithm>
#include <cstddef>

#include "app/query_format.hpp"

namespace nfmetrics::app {

void WriteColumns(std::ostream& out, const std::vector<TextRow>& rows,
                  const std::vector<bool>& right) {
  std::vector<std::size_t> widths;
  for (const TextRow& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  for (const TextRow& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += "  ";
      const std::size_t shown = DisplayWidth(row[i]);
      const std::string padding(widths[i] > shown ? widths[i] - shown : 0, ' ');
      line += i < right.size() && right[i] ? padding + row[i] : row[i] + padding;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

}  // namespace nfmetrics::app
