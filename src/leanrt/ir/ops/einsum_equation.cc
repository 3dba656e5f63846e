#include "leanrt/ir/ops/einsum_equation.h"

#include <algorithm>
#include <map>

namespace leanrt::ir {
namespace {

// Splits "ab,bc->ac" into {"ab", "bc"} and "ac"; has_arrow false when the
// output is implicit.
void split_equation(const std::string& equation, std::vector<std::string>& inputs, std::string& output,
                    bool& has_arrow) {
  std::string text;
  for (char c : equation)
    if (c != ' ') text += c;
  const size_t arrow = text.find("->");
  has_arrow = arrow != std::string::npos;
  const std::string left = has_arrow ? text.substr(0, arrow) : text;
  output = has_arrow ? text.substr(arrow + 2) : "";
  size_t start = 0;
  while (true) {
    size_t comma = left.find(',', start);
    inputs.push_back(left.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

}  // namespace

Expected<EinsumPlan> plan_einsum(const std::string& equation, const std::vector<Shape>& shapes) {
  std::vector<std::string> terms;
  std::string output_term;
  bool has_arrow = false;
  split_equation(equation, terms, output_term, has_arrow);
  if (terms.size() != shapes.size())
    return invalid_model("equation \"{}\" has {} operands, the node has {} inputs", equation, terms.size(), shapes.size());
  EinsumPlan plan;
  std::map<char, int> label_of;
  std::map<char, int> uses;
  // Ellipsis axes get labels of their own, aligned from the right.
  int ellipsis_rank = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    const size_t dots = terms[i].find("...");
    const int explicit_labels = static_cast<int>(terms[i].size()) - (dots == std::string::npos ? 0 : 3);
    const int rank = static_cast<int>(shapes[i].size());
    if (dots == std::string::npos ? rank != explicit_labels : rank < explicit_labels)
      return invalid_model("equation term \"{}\" does not match input {} of shape {}", terms[i], i,
                           shape_string(shapes[i]));
    if (dots != std::string::npos) ellipsis_rank = std::max(ellipsis_rank, rank - explicit_labels);
  }
  std::vector<int> ellipsis_labels;
  for (int e = 0; e < ellipsis_rank; ++e) {
    ellipsis_labels.push_back(static_cast<int>(plan.label_sizes.size()));
    plan.label_sizes.push_back(1);
  }
  auto label_for = [&](char c) {
    auto found = label_of.find(c);
    if (found != label_of.end()) return found->second;
    int id = static_cast<int>(plan.label_sizes.size());
    plan.label_sizes.push_back(-1);
    label_of[c] = id;
    return id;
  };
  for (size_t i = 0; i < terms.size(); ++i) {
    std::vector<int> labels;
    const int rank = static_cast<int>(shapes[i].size());
    for (size_t p = 0; p < terms[i].size(); ++p) {
      if (terms[i].compare(p, 3, "...") == 0) {
        const int count = rank - (static_cast<int>(terms[i].size()) - 3);
        for (int e = ellipsis_rank - count; e < ellipsis_rank; ++e) labels.push_back(ellipsis_labels[e]);
        p += 2;
        continue;
      }
      const char c = terms[i][p];
      if (!std::isalpha(static_cast<unsigned char>(c)))
        return invalid_model("equation \"{}\": '{}' is not a label", equation, c);
      labels.push_back(label_for(c));
      ++uses[c];
    }
    for (size_t axis = 0; axis < labels.size(); ++axis) {
      int64_t& size = plan.label_sizes[labels[axis]];
      const int64_t dim = shapes[i][axis];
      const bool ellipsis = std::find(ellipsis_labels.begin(), ellipsis_labels.end(), labels[axis]) != ellipsis_labels.end();
      if (size == -1 || (ellipsis && size == 1)) size = dim;
      else if (size != dim && !(ellipsis && dim == 1))
        return invalid_model("equation \"{}\": label sizes differ ({} vs {}) for input {} {}", equation, size, dim, i,
                             shape_string(shapes[i]));
    }
    plan.input_labels.push_back(labels);
  }
  if (has_arrow) {
    for (size_t p = 0; p < output_term.size(); ++p) {
      if (output_term.compare(p, 3, "...") == 0) {
        plan.output_labels.insert(plan.output_labels.end(), ellipsis_labels.begin(), ellipsis_labels.end());
        p += 2;
        continue;
      }
      auto found = label_of.find(output_term[p]);
      if (found == label_of.end())
        return invalid_model("equation \"{}\": output label '{}' appears in no input", equation, output_term[p]);
      plan.output_labels.push_back(found->second);
    }
  } else {
    plan.output_labels = ellipsis_labels;
    for (const auto& [c, count] : uses)  // std::map: alphabetical
      if (count == 1) plan.output_labels.push_back(label_of[c]);
  }
  for (int label : plan.output_labels) plan.output_shape.push_back(plan.label_sizes[label]);
  return plan;
}

}  // namespace leanrt::ir
