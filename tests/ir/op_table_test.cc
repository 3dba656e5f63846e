// Walks the op table: every op has a shape function and a reference kernel
// (both enforced at link time by the family X-macros) and a test against
// TensorFlow-made references. An op neither the single-op corpus nor a
// model-corpus case covers must name the test that covers it here, or this
// test names it as untested.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "leanrt/ir/op_table.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

// Ops whose TF.js reference is missing from the corpus (TF.js lacks them or
// they vanish at import), with the test that checks them instead.
const std::map<std::string, std::string> kTestedElsewhere = {
    {"Softsign", "tests/kernels/extra_ops_test.cc"},
    {"Inv", "tests/kernels/extra_ops_test.cc"},
    {"Rint", "tests/kernels/extra_ops_test.cc"},
    {"TruncateDiv", "tests/kernels/extra_ops_test.cc"},
    {"Snapshot", "tests/kernels/extra_ops_test.cc"},
    {"StopGradient", "tests/kernels/extra_ops_test.cc"},
    {"PreventGradient", "tests/kernels/extra_ops_test.cc"},
    {"EnsureShape", "tests/kernels/extra_ops_test.cc"},
    {"PlaceholderWithDefault", "tests/kernels/extra_ops_test.cc"},
    {"BatchMatMulV3", "tests/kernels/extra_ops_test.cc"},
    {"SpaceToDepth", "tests/kernels/extra_ops_test.cc"},
    {"FusedBatchNormV2", "tests/kernels/extra_ops_test.cc"},
    {"NonMaxSuppressionV4", "tests/kernels/extra_ops_test.cc"},
    {"StatelessWhile", "tests/kernels/control_flow_test.cc"},
    {"TensorArrayConcatV3", "tests/kernels/control_flow_test.cc"},
    {"TensorListReserve", "tests/kernels/control_flow_test.cc"},
    {"EmptyTensorList", "tests/kernels/control_flow_test.cc"},
    {"TensorListFromTensor", "tests/kernels/control_flow_test.cc"},
    {"TensorListGetItem", "tests/kernels/control_flow_test.cc"},
    {"TensorListSetItem", "tests/kernels/control_flow_test.cc"},
    {"TensorListPushBack", "tests/kernels/control_flow_test.cc"},
    {"TensorListPopBack", "tests/kernels/control_flow_test.cc"},
    {"TensorListLength", "tests/kernels/control_flow_test.cc"},
    {"TensorListStack", "tests/kernels/control_flow_test.cc"},
    {"TensorListGather", "tests/kernels/control_flow_test.cc"},
};

TEST(OpTable, EveryOpHasATest) {
  auto ops_manifest = load_manifest("ops/cases.json");
  auto model_manifest = load_manifest("cases.json");
  if (!ops_manifest || !model_manifest) GTEST_SKIP() << "corpus not found";
  std::set<std::string> covered;
  for (const auto& manifest_case : (*ops_manifest)["cases"]) covered.insert(manifest_case.value("op", ""));
  for (const auto& manifest_case : (*model_manifest)["cases"])
    if (manifest_case.contains("op_types"))
      for (const auto& op : manifest_case["op_types"]) covered.insert(op.get<std::string>());
  // TF1 loops reach the table as While after import (faceboxes has them).
  if (covered.count("LoopCond")) covered.insert("While");
  std::vector<std::string> untested;
  for (const ir::OpInfo& op : ir::all_ops()) {
    const std::string name(op.name);
    EXPECT_NE(ir::infer_function(op.family), nullptr) << name;
    if (!covered.count(name) && !kTestedElsewhere.count(name)) untested.push_back(name);
  }
  std::string names;
  for (const std::string& name : untested) names += " " + name;
  EXPECT_TRUE(untested.empty()) << "ops with no test against TensorFlow references:" << names;
  std::printf("op table: %zu ops, %zu covered by the corpus, %zu by named tests\n", ir::all_ops().size(),
              ir::all_ops().size() - kTestedElsewhere.size(), kTestedElsewhere.size());
}

TEST(OpTable, NamesAreUniqueAndFindable) {
  std::set<std::string> seen;
  for (const ir::OpInfo& op : ir::all_ops()) {
    EXPECT_TRUE(seen.insert(std::string(op.name)).second) << "duplicate row " << op.name;
    EXPECT_EQ(ir::find_op(op.name), &op);
  }
  EXPECT_EQ(ir::find_op("NoSuchOp"), nullptr);
}

}  // namespace
}  // namespace leanrt::testing
