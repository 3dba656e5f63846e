// Each fusion pass on its own: the graph it leaves (ops, fused_ops, inputs)
// and, run through the fast kernels, the same numbers as the unfused graph
// through the reference kernels. Also the cases each pass must leave alone.
#include <gtest/gtest.h>

#include <functional>

#include "kernels/fast_vs_reference.h"
#include "leanrt/passes/fusion.h"
#include "leanrt/passes/passes.h"

namespace leanrt::testing {
namespace {

using StringList = std::vector<std::string>;

// Shapes inferred as compile does before the post-inference passes.
void infer(ir::Graph& graph) {
  ASSERT_TRUE(passes::infer_and_fold(graph, runtime::evaluate_node, {}).is_ok());
}

const ir::Node* only_node(const ir::Graph& graph, const std::string& op) {
  const ir::Node* found = nullptr;
  for (const ir::Node& node : graph.nodes)
    if (node.op == op) found = found ? nullptr : &node;
  return found;
}

StringList fused_ops_of(const ir::Node& node) { return node.attrs.get_or<StringList>("fused_ops", {}); }

ir::ValueId conv(GraphCase& g, ir::ValueId x, int64_t in_channels, int64_t out_channels, bool output = false) {
  ir::ValueId w = g.constant("w", {3, 3, in_channels, out_channels});
  return g.node("conv", "Conv2D", {x, w}, window_attrs(1, 1, "SAME"), output);
}

void expect_matches_reference(GraphCase& g, const std::string& what) {
  CompareResult r = g.compare();
  ASSERT_TRUE(r.compiled) << what << ": " << r.summary();
  EXPECT_LE(r.max_error, r.tolerance) << what << ": " << r.summary();
}

TEST(FuseBiasAdd, BiasAddAddAndSubBecomeOneBias) {
  for (const char* op : {"BiasAdd", "Add", "AddV2", "Sub"}) {
    GraphCase g(1);
    ir::ValueId x = g.input("x", {1, 6, 6, 5});
    ir::ValueId y = conv(g, x, 5, 7);
    g.node("bias", op, {y, g.constant("b", {7})});
    infer(g.graph());
    EXPECT_EQ(passes::fuse_bias_add(g.graph()), 1) << op;
    ASSERT_EQ(g.graph().nodes.size(), 1u) << op;
    EXPECT_EQ(g.graph().nodes[0].op, "_FusedConv2D");
    EXPECT_EQ(fused_ops_of(g.graph().nodes[0]), StringList{"BiasAdd"});
    EXPECT_EQ(g.graph().nodes[0].attrs.get_or<int64_t>("num_args", 0), 1);
  }
  GraphCase g(2);
  ir::ValueId x = g.input("x", {2, 6, 6, 5});
  ir::ValueId y = conv(g, x, 5, 7);
  y = g.node("add", "AddV2", {g.constant("b", {7}), y}, {}, false);
  g.node("sub", "Sub", {y, g.constant("c", {1, 1, 1, 7})});
  expect_matches_reference(g, "conv + b - c");
}

TEST(FuseBiasAdd, MatMulBias) {
  GraphCase g(3);
  ir::ValueId a = g.input("a", {4, 9});
  ir::ValueId y = g.node("mm", "MatMul", {a, g.constant("w", {9, 6})}, {}, false);
  g.node("bias", "BiasAdd", {y, g.constant("b", {6})});
  expect_matches_reference(g, "matmul + bias");
  infer(g.graph());
  passes::fuse_bias_add(g.graph());
  ASSERT_NE(only_node(g.graph(), "_FusedMatMul"), nullptr);
}

TEST(FuseBiasAdd, LeavesSharedOutputsAndNonChannelConstants) {
  GraphCase g(4);
  ir::ValueId x = g.input("x", {1, 6, 6, 5});
  ir::ValueId y = conv(g, x, 5, 7, /*output=*/true);  // also a graph output
  g.node("bias", "BiasAdd", {y, g.constant("b", {7})});
  ir::ValueId z = conv(g, x, 5, 7);
  g.node("add_map", "AddV2", {z, g.constant("m", {6, 6, 7})});  // not per channel
  infer(g.graph());
  EXPECT_EQ(passes::fuse_bias_add(g.graph()), 0);
  EXPECT_EQ(g.graph().nodes.size(), 4u);
}

TEST(FoldChannelScale, MulFoldsIntoFilterAndBias) {
  GraphCase g(5);
  ir::ValueId x = g.input("x", {2, 7, 7, 4});
  ir::ValueId y = conv(g, x, 4, 6);
  y = g.node("bias", "BiasAdd", {y, g.constant("b", {6})}, {}, false);
  y = g.node("scale", "Mul", {y, g.constant("s", {6}, 0.5f, 2.0f)}, {}, false);
  g.node("shift", "AddV2", {y, g.constant("t", {6})});
  expect_matches_reference(g, "unfused batch norm chain");
  infer(g.graph());
  ASSERT_TRUE(passes::fuse_for_fast_kernels(g.graph()).is_ok());
  ASSERT_EQ(g.graph().nodes.size(), 1u);
  EXPECT_EQ(fused_ops_of(g.graph().nodes[0]), StringList{"BiasAdd"});
}

TEST(FoldChannelScale, Depthwise) {
  GraphCase g(6);
  ir::ValueId x = g.input("x", {1, 7, 7, 4});
  ir::ValueId y = g.node("dw", "DepthwiseConv2dNative", {x, g.constant("w", {3, 3, 4, 2})}, window_attrs(1, 1, "SAME"),
                         false);
  g.node("scale", "Mul", {g.constant("s", {8}, 0.5f, 2.0f), y});
  infer(g.graph());
  EXPECT_EQ(passes::fold_channel_scale(g.graph()), 1);
  EXPECT_EQ(g.graph().nodes.size(), 1u);
  GraphCase h(6);
  ir::ValueId hx = h.input("x", {1, 7, 7, 4});
  ir::ValueId hy = h.node("dw", "DepthwiseConv2dNative", {hx, h.constant("w", {3, 3, 4, 2})},
                          window_attrs(1, 1, "SAME"), false);
  h.node("scale", "Mul", {h.constant("s", {8}, 0.5f, 2.0f), hy});
  expect_matches_reference(h, "depthwise * s");
}

TEST(FuseResidualAdd, AddOfSameShapeTensorBecomesResidualInput) {
  GraphCase g(7);
  ir::ValueId x = g.input("x", {2, 8, 8, 16});
  ir::ValueId y = conv(g, x, 16, 16);
  y = g.node("bias", "BiasAdd", {y, g.constant("b", {16})}, {}, false);
  y = g.node("residual", "AddV2", {x, y}, {}, false);
  g.node("relu", "Relu", {y});
  expect_matches_reference(g, "relu(conv + b + x)");
  infer(g.graph());
  passes::fuse_bias_add(g.graph());
  EXPECT_EQ(passes::fuse_residual_add(g.graph()), 1);
  EXPECT_EQ(passes::fuse_activation(g.graph()), 1);
  ASSERT_EQ(g.graph().nodes.size(), 1u);
  EXPECT_EQ(fused_ops_of(g.graph().nodes[0]), (StringList{"BiasAdd", "Add", "Relu"}));
  EXPECT_EQ(g.graph().nodes[0].inputs.size(), 4u);
}

// oneDNN 2.6 has no fast convolution for binary add + prelu post-ops: the
// kernel applies the Prelu after the primitive instead.
TEST(FuseResidualAdd, ResidualThenPrelu) {
  GraphCase g(10);
  ir::ValueId x = g.input("x", {2, 12, 12, 32});
  ir::ValueId y = conv(g, x, 32, 32);
  y = g.node("bias", "BiasAdd", {y, g.constant("b", {32})}, {}, false);
  y = g.node("residual", "AddV2", {y, x}, {}, false);
  g.node("prelu", "Prelu", {y, g.constant("alpha", {32}, 0.0f, 0.5f)});
  CompareResult r = g.compare();
  ASSERT_TRUE(r.compiled) << r.summary();
  EXPECT_EQ(r.kernels, std::vector<std::string>{"conv2d_f32_onednn"}) << r.summary();
  EXPECT_LE(r.max_error, r.tolerance) << r.summary();
}

TEST(FuseResidualAdd, NeedsABiasAndNoActivation) {
  GraphCase g(8);
  ir::ValueId x = g.input("x", {1, 5, 5, 3});
  ir::ValueId y = conv(g, x, 3, 3);
  g.node("residual", "AddV2", {y, x});  // no bias fused: left alone
  infer(g.graph());
  EXPECT_EQ(passes::fuse_residual_add(g.graph()), 0);
}

TEST(FuseResidualAdd, ResidualComputedAfterTheConv) {
  // The residual branch comes later in node order: the pass must re-sort.
  GraphCase g(9);
  ir::ValueId x = g.input("x", {1, 6, 6, 8});
  ir::ValueId y = conv(g, x, 8, 8);
  y = g.node("bias", "BiasAdd", {y, g.constant("b", {8})}, {}, false);
  ir::ValueId branch = g.node("branch", "Relu6", {x}, {}, false);
  g.node("residual", "Add", {y, branch});
  expect_matches_reference(g, "conv + b + relu6(x)");
}

TEST(FuseActivation, EveryActivation) {
  uint32_t seed = 20;
  for (const char* op : {"Relu", "Relu6", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Prelu"}) {
    GraphCase g(seed++);
    ir::ValueId x = g.input("x", {2, 6, 6, 5});
    ir::ValueId y = conv(g, x, 5, 9);
    y = g.node("bias", "BiasAdd", {y, g.constant("b", {9})}, {}, false);
    ir::AttrMap attrs;
    if (std::string(op) == "LeakyRelu") attrs.set("alpha", 0.25f);
    std::vector<ir::ValueId> inputs = {y};
    if (std::string(op) == "Prelu") inputs.push_back(g.constant("alpha", {1, 1, 9}, 0.0f, 0.5f));
    g.node("act", op, inputs, attrs);
    expect_matches_reference(g, op);
    infer(g.graph());
    passes::fuse_bias_add(g.graph());
    EXPECT_EQ(passes::fuse_activation(g.graph()), 1) << op;
    ASSERT_EQ(g.graph().nodes.size(), 1u) << op;
    EXPECT_EQ(fused_ops_of(g.graph().nodes[0]), (StringList{"BiasAdd", op}));
  }
}

TEST(FuseActivation, MatMulRelu) {
  GraphCase g(30);
  ir::ValueId a = g.input("a", {3, 10});
  ir::ValueId y = g.node("mm", "MatMul", {a, g.constant("w", {10, 4})}, {}, false);
  g.node("act", "Relu6", {y});
  expect_matches_reference(g, "relu6(matmul)");
}

// FusedBatchNormV3 has no kernel: compare the folded conv with the
// reference's own _FusedConv2D [FusedBatchNormV3] form on the same numbers.
TEST(FoldBatchNorm, FoldsIntoWeightsAndBias) {
  for (const char* op : {"FusedBatchNorm", "FusedBatchNormV3"}) {
    GraphCase g(40);
    ir::ValueId x = g.input("x", {2, 7, 7, 6});
    ir::ValueId w = g.constant("w", {3, 3, 6, 10});
    ir::ValueId params[4] = {g.constant("scale", {10}, 0.5f, 1.5f), g.constant("offset", {10}),
                             g.constant("mean", {10}), g.constant("variance", {10}, 0.1f, 2.0f)};
    ir::ValueId y = g.node("conv", "Conv2D", {x, w}, window_attrs(1, 1, "SAME"), false);
    ir::AttrMap attrs;
    attrs.set("is_training", false);
    attrs.set("epsilon", 0.001f);
    const ir::NodeId bn = g.graph().add_node("bn", op, {y, params[0], params[1], params[2], params[3]}, 5, attrs);
    g.graph().outputs.push_back(g.graph().nodes[bn].outputs[0]);
    g.graph().output_names.push_back("bn");
    ir::Graph folded = g.graph();
    ASSERT_EQ(passes::fold_batch_norm(folded), 1);
    ASSERT_EQ(folded.nodes.size(), 1u) << op;
    EXPECT_EQ(folded.nodes[0].op, "_FusedConv2D");
    EXPECT_EQ(fused_ops_of(folded.nodes[0]), StringList{"BiasAdd"});

    // The oracle: the same numbers through the reference's fused form.
    GraphCase oracle(40);
    ir::ValueId ox = oracle.input("x", {2, 7, 7, 6});
    ir::ValueId ow = oracle.constant("w", {3, 3, 6, 10});
    ir::ValueId oparams[4] = {oracle.constant("scale", {10}, 0.5f, 1.5f), oracle.constant("offset", {10}),
                              oracle.constant("mean", {10}), oracle.constant("variance", {10}, 0.1f, 2.0f)};
    ir::AttrMap fused_attrs = window_attrs(1, 1, "SAME");
    fused_attrs.set("fused_ops", StringList{op});
    fused_attrs.set("epsilon", 0.001f);
    oracle.node("conv_bn", "_FusedConv2D", {ox, ow, oparams[0], oparams[1], oparams[2], oparams[3]}, fused_attrs);
    // Same seed, same draws: the same x, w and parameters in both graphs.
    auto folded_output = g.run(kernels::KernelChoice::kAuto);
    auto reference_output = oracle.run(kernels::KernelChoice::kReference);
    ASSERT_TRUE(folded_output.has_value()) << folded_output.status().message();
    ASSERT_TRUE(reference_output.has_value()) << reference_output.status().message();
    ASSERT_EQ(folded_output->size(), reference_output->size());
    for (size_t i = 0; i < folded_output->size(); ++i)
      ASSERT_NEAR((*folded_output)[i], (*reference_output)[i], 1e-3) << op << " element " << i;
  }
}

TEST(FoldBatchNorm, LeavesTrainingModeAlone) {
  GraphCase g(41);
  ir::ValueId x = g.input("x", {1, 5, 5, 2});
  ir::ValueId y = conv(g, x, 2, 3);
  ir::AttrMap attrs;
  attrs.set("is_training", true);
  std::vector<ir::ValueId> inputs = {y};
  for (const char* name : {"scale", "offset", "mean", "variance"}) inputs.push_back(g.constant(name, {3}, 0.5f, 1.0f));
  g.graph().add_node("bn", "FusedBatchNormV3", inputs, 5, attrs);
  ASSERT_EQ(passes::fold_batch_norm(g.graph()), 0);
  EXPECT_EQ(g.graph().nodes.size(), 2u);
}

// Keras' Conv2D(use_bias=True) then BatchNormalization, as signlang-cnn-bnv3
// has it: the BiasAdd fuses first, then the batch norm folds in the same
// rounds. Checked against the reference's own FusedBatchNormV3 kernel.
TEST(FoldBatchNorm, FoldsAfterAFusedBias) {
  GraphCase g(42);
  ir::ValueId x = g.input("x", {2, 7, 7, 6});
  ir::ValueId y = conv(g, x, 6, 10);
  ir::ValueId biased = g.node("bias", "BiasAdd", {y, g.constant("b", {10})}, {}, false);
  ir::AttrMap attrs;
  attrs.set("is_training", false);
  attrs.set("epsilon", 0.001f);
  std::vector<ir::ValueId> inputs = {biased, g.constant("scale", {10}, 0.5f, 1.5f), g.constant("offset", {10}),
                                     g.constant("mean", {10}), g.constant("variance", {10}, 0.1f, 2.0f)};
  const ir::NodeId bn = g.graph().add_node("bn", "FusedBatchNormV3", inputs, 6, attrs);
  g.graph().outputs.push_back(g.graph().nodes[bn].outputs[0]);
  g.graph().output_names.push_back("bn");
  expect_matches_reference(g, "batch_norm(conv + bias)");
  ir::Graph fused = g.graph();
  infer(fused);
  ASSERT_TRUE(passes::fuse_for_fast_kernels(fused).is_ok());
  ASSERT_EQ(fused.nodes.size(), 1u);
  EXPECT_EQ(fused.nodes[0].op, "_FusedConv2D");
  EXPECT_EQ(fused_ops_of(fused.nodes[0]), StringList{"BiasAdd"});
}

// A float32 scalar constant holding exactly `value`.
ir::ValueId scalar(GraphCase& g, const std::string& name, float value) {
  return g.graph().add_constant(name, DType::kF32, {}, ConstBytes::copy_of(&value, sizeof value));
}

// Hard swish in the three orders converters write it, after conv + bias:
// one fused node with the model's own scale (0.16662598 is 1/6 in fp16, as
// selfie and meet store it), the reference's numbers.
TEST(FuseHardSwish, EverySpellingBecomesTheConvsActivation) {
  struct Spelling {
    const char* what;
    float scale;
    std::function<void(GraphCase&, ir::ValueId)> build;
  };
  auto relu6_plus_3 = [](GraphCase& g, ir::ValueId x) {
    return g.node("relu6", "Relu6", {g.node("add", "AddV2", {x, scalar(g, "three", 3.0f)}, {}, false)}, {}, false);
  };
  const std::vector<Spelling> spellings = {
      {"(x * c) * relu6(x + 3)", 0.16662598f,
       [&](GraphCase& g, ir::ValueId x) {
         ir::ValueId scaled = g.node("mul", "Mul", {x, scalar(g, "sixth", 0.16662598f)}, {}, false);
         g.node("mul_1", "Mul", {scaled, relu6_plus_3(g, x)});
       }},
      {"x * (relu6(x + 3) * c)", 1.0f / 6.0f,
       [&](GraphCase& g, ir::ValueId x) {
         ir::ValueId gate = g.node("mul", "Mul", {relu6_plus_3(g, x), scalar(g, "sixth", 1.0f / 6.0f)}, {}, false);
         g.node("mul_1", "Mul", {x, gate});
       }},
      {"x * relu6(x + 3) / 6", 1.0f / 6.0f,
       [&](GraphCase& g, ir::ValueId x) {
         ir::ValueId product = g.node("mul", "Mul", {relu6_plus_3(g, x), x}, {}, false);
         g.node("div", "RealDiv", {product, scalar(g, "six", 6.0f)});
       }},
  };
  uint32_t seed = 60;
  for (const Spelling& spelling : spellings) {
    GraphCase g(seed++);
    ir::ValueId x = g.input("x", {2, 7, 7, 4});
    ir::ValueId y = g.node("bias", "BiasAdd", {conv(g, x, 4, 6), g.constant("b", {6}, -4.0f, 4.0f)}, {}, false);
    spelling.build(g, y);
    expect_matches_reference(g, spelling.what);
    CompareResult r = g.compare();
    EXPECT_EQ(r.kernels.size(), 1u) << spelling.what << ": " << r.summary();
    infer(g.graph());
    ASSERT_TRUE(passes::fuse_for_fast_kernels(g.graph()).is_ok());
    ASSERT_EQ(g.graph().nodes.size(), 1u) << spelling.what;
    EXPECT_EQ(fused_ops_of(g.graph().nodes[0]), (StringList{"BiasAdd", "HardSwish"})) << spelling.what;
    EXPECT_EQ(g.graph().nodes[0].attrs.get_or<float>("hardswish_scale", 0.0f), spelling.scale) << spelling.what;
  }
}

TEST(FuseHardSwish, LeavesOtherFormulasAlone) {
  struct Case {
    const char* what;
    std::function<void(GraphCase&, ir::ValueId)> build;
  };
  const std::vector<Case> cases = {
      {"x + 2, not x + 3", [](GraphCase& g, ir::ValueId x) {
         ir::ValueId gate = g.node("relu6", "Relu6", {g.node("add", "AddV2", {x, scalar(g, "two", 2.0f)}, {}, false)}, {}, false);
         g.node("mul", "Mul", {x, g.node("scale", "Mul", {gate, scalar(g, "sixth", 1.0f / 6.0f)}, {}, false)});
       }},
      {"Relu, not Relu6", [](GraphCase& g, ir::ValueId x) {
         ir::ValueId gate = g.node("relu", "Relu", {g.node("add", "AddV2", {x, scalar(g, "three", 3.0f)}, {}, false)}, {}, false);
         g.node("mul", "Mul", {x, g.node("scale", "Mul", {gate, scalar(g, "sixth", 1.0f / 6.0f)}, {}, false)});
       }},
      {"a per-channel scale", [](GraphCase& g, ir::ValueId x) {
         ir::ValueId gate = g.node("relu6", "Relu6", {g.node("add", "AddV2", {x, scalar(g, "three", 3.0f)}, {}, false)}, {}, false);
         g.node("mul", "Mul", {x, g.node("scale", "Mul", {gate, g.constant("scales", {6})}, {}, false)});
       }},
      {"x also read elsewhere", [](GraphCase& g, ir::ValueId x) {
         ir::ValueId gate = g.node("relu6", "Relu6", {g.node("add", "AddV2", {x, scalar(g, "three", 3.0f)}, {}, false)}, {}, false);
         g.node("mul", "Mul", {x, g.node("scale", "Mul", {gate, scalar(g, "sixth", 1.0f / 6.0f)}, {}, false)});
         g.node("other", "Neg", {x});
       }},
  };
  uint32_t seed = 70;
  for (const Case& c : cases) {
    GraphCase g(seed++);
    ir::ValueId x = g.input("x", {2, 7, 7, 4});
    c.build(g, conv(g, x, 4, 6));
    expect_matches_reference(g, c.what);
    infer(g.graph());
    EXPECT_EQ(passes::fuse_hard_swish(g.graph()), 0) << c.what;
  }
}

// Conv2DBackpropInput with kernel = stride (selfie's, meet's and
// handdetect's upsampling): a 1x1 Conv2D and DepthToSpace, the same numbers
// as the reference's transposed convolution.
ir::ValueId deconv(GraphCase& g, ir::ValueId x, const Shape& out, int64_t kernel, int64_t stride,
                   const std::string& padding, int64_t in_channels) {
  ir::ValueId sizes = g.int_constant("sizes", {static_cast<int32_t>(out[0]), static_cast<int32_t>(out[1]),
                                               static_cast<int32_t>(out[2]), static_cast<int32_t>(out[3])});
  ir::ValueId w = g.constant("w", {kernel, kernel, out[3], in_channels});
  return g.node("deconv", "Conv2DBackpropInput", {sizes, w, x}, window_attrs(stride, 1, padding));
}

TEST(DeconvAsDepthToSpace, NonOverlappingWindows) {
  struct Case {
    Shape x;
    int64_t kernel, out_channels;
    const char* padding;
  };
  const Case cases[] = {{{1, 8, 9, 16}, 2, 2, "SAME"}, {{2, 5, 4, 6}, 2, 1, "VALID"}, {{1, 4, 4, 8}, 3, 5, "SAME"}};
  uint32_t seed = 80;
  for (const Case& c : cases) {
    GraphCase g(seed++);
    ir::ValueId x = g.input("x", c.x);
    deconv(g, x, {c.x[0], c.x[1] * c.kernel, c.x[2] * c.kernel, c.out_channels}, c.kernel, c.kernel, c.padding, c.x[3]);
    const std::string what = fmt::format("{}x{} stride {} {}", c.kernel, c.kernel, c.kernel, c.padding);
    expect_matches_reference(g, what);
    CompareResult r = g.compare();
    EXPECT_TRUE(r.used("depth_to_space_f32_fast")) << what << ": " << r.summary();
    infer(g.graph());
    EXPECT_EQ(passes::deconv_as_depth_to_space(g.graph()), 1) << what;
  }
}

TEST(DeconvAsDepthToSpace, LeavesOverlappingWindowsAlone) {
  GraphCase g(90);
  ir::ValueId x = g.input("x", {1, 6, 6, 4});
  deconv(g, x, {1, 12, 12, 3}, 3, 2, "SAME", 4);  // 3x3 windows two apart overlap
  expect_matches_reference(g, "3x3 stride 2");
  infer(g.graph());
  EXPECT_EQ(passes::deconv_as_depth_to_space(g.graph()), 0);
}

// leanrt's residual forms as fused nodes, run by both kernel families: the
// reference's epilogue adds the residual before or after the activation as
// fused_ops order it, and the fast kernel (the direct conv's tiles, or oneDNN's
// post-ops without AVX-512) in the same order.
TEST(FusedResidual, BeforeAndAfterTheActivation) {
  const std::vector<StringList> forms = {{"BiasAdd", "Add", "Relu"}, {"BiasAdd", "Relu", "Add"},
                                         {"BiasAdd", "Add"},         {"BiasAdd", "Relu6", "Add"}};
  uint32_t seed = 95;
  for (const StringList& form : forms) {
    GraphCase g(seed++);
    ir::ValueId x = g.input("x", {2, 6, 6, 8});
    ir::ValueId residual = g.input("r", {2, 6, 6, 12});
    ir::AttrMap attrs = window_attrs(1, 1, "SAME");
    attrs.set("fused_ops", form);
    attrs.set("num_args", int64_t{2});
    g.node("conv", "_FusedConv2D", {x, g.constant("w", {3, 3, 8, 12}), g.constant("b", {12}, -2.0f, 2.0f), residual},
           attrs);
    const std::string what = fmt::format("[{}]", fmt::join(form, ", "));
    expect_matches_reference(g, what);
    CompareResult r = g.compare();
    const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
    EXPECT_TRUE(r.used(avx512 ? "conv2d_f32_direct" : "conv2d_f32_onednn")) << what << ": " << r.summary();
  }
}

// The pass makes the after-activation form, except after a Prelu (oneDNN
// would run that chain on its reference convolution).
TEST(FuseResidualAdd, AfterTheActivationButNotAPrelu) {
  for (const char* activation : {"Relu", "Prelu"}) {
    GraphCase g(97);
    ir::ValueId x = g.input("x", {1, 6, 6, 8});
    ir::ValueId y = g.node("bias", "BiasAdd", {conv(g, x, 8, 8), g.constant("b", {8})}, {}, false);
    std::vector<ir::ValueId> inputs = {y};
    if (std::string(activation) == "Prelu") inputs.push_back(g.constant("alpha", {8}, 0.0f, 0.5f));
    y = g.node("act", activation, inputs, {}, false);
    g.node("skip", "AddV2", {y, x});
    expect_matches_reference(g, activation);
    infer(g.graph());
    ASSERT_TRUE(passes::fuse_for_fast_kernels(g.graph()).is_ok());
    const bool prelu = std::string(activation) == "Prelu";
    ASSERT_EQ(g.graph().nodes.size(), prelu ? 2u : 1u) << activation;
    const StringList expected = prelu ? StringList{"BiasAdd", "Prelu"} : StringList{"BiasAdd", "Relu", "Add"};
    EXPECT_EQ(fused_ops_of(g.graph().nodes[0]), expected) << activation;
  }
}

// Grappler's AddOpsRewrite of conv + skip + bias (handlandmark): reordered,
// then one conv with bias and residual; a sum of two variable tensors and
// an AddN of three are left alone.
TEST(ReorderBiasBeforeResidual, AddNOfConvAndSkipPlusBias) {
  struct Case {
    const char* what;
    bool constant_bias;
    int add_n_inputs;
    size_t nodes_after;
  };
  const Case cases[] = {{"c + AddN(conv, skip)", true, 2, 1},
                        {"v + AddN(conv, skip), v a graph input", false, 2, 3},
                        {"c + AddN(conv, skip, skip2)", true, 3, 3}};
  uint32_t seed = 110;
  for (const Case& c : cases) {
    GraphCase g(seed++);
    ir::ValueId x = g.input("x", {2, 6, 6, 8});
    ir::ValueId skip = g.input("skip", {2, 6, 6, 10});
    std::vector<ir::ValueId> terms = {conv(g, x, 8, 10), skip};
    if (c.add_n_inputs == 3) terms.push_back(g.input("skip2", {2, 6, 6, 10}));
    ir::AttrMap n_attr;
    n_attr.set("N", static_cast<int64_t>(terms.size()));
    ir::ValueId total = g.node("sum", "AddN", terms, n_attr, false);
    ir::ValueId bias = c.constant_bias ? g.constant("c", {10}) : g.input("v", {10});
    g.node("add", "AddV2", {bias, total});
    expect_matches_reference(g, c.what);
    infer(g.graph());
    ASSERT_TRUE(passes::fuse_for_fast_kernels(g.graph()).is_ok()) << c.what;
    EXPECT_EQ(g.graph().nodes.size(), c.nodes_after) << c.what;
    if (c.nodes_after == 1) EXPECT_EQ(fused_ops_of(g.graph().nodes[0]), (StringList{"BiasAdd", "Add"})) << c.what;
  }
}

// Keras' Dense on a 4-D tensor (meet's squeeze-excite): MatMul, Reshape to
// [N, 1, 1, C], BiasAdd, activation. The bias and activation move before
// the Reshape and fuse; a Reshape that changes the last dim keeps them.
TEST(SinkReshapes, DenseOnAFourDTensor) {
  for (const bool keeps_last_dim : {true, false}) {
    GraphCase g(120 + keeps_last_dim);
    ir::ValueId x = g.input("x", {2, 16});
    ir::ValueId y = g.node("mm", "MatMul", {x, g.constant("w", {16, 12})}, {}, false);
    const std::vector<int32_t> shape = keeps_last_dim ? std::vector<int32_t>{2, 1, 1, 12} : std::vector<int32_t>{2, 1, 3, 4};
    y = g.node("reshape", "Reshape", {y, g.int_constant("shape", shape)}, {}, false);
    const Shape bias_shape = {keeps_last_dim ? 12 : 4};
    y = g.node("bias", "BiasAdd", {y, g.constant("b", bias_shape)}, {}, false);
    g.node("act", "Sigmoid", {y});
    const std::string what = keeps_last_dim ? "[2, 1, 1, 12]" : "[2, 1, 3, 4]";
    expect_matches_reference(g, what);
    infer(g.graph());
    ASSERT_TRUE(passes::fuse_for_fast_kernels(g.graph()).is_ok());
    if (keeps_last_dim) {
      ASSERT_EQ(g.graph().nodes.size(), 2u);
      ASSERT_NE(only_node(g.graph(), "_FusedMatMul"), nullptr);
      EXPECT_EQ(fused_ops_of(*only_node(g.graph(), "_FusedMatMul")), (StringList{"BiasAdd", "Sigmoid"}));
      EXPECT_EQ(g.graph().values[g.graph().outputs[0]].shape, (Shape{2, 1, 1, 12}));
    } else {
      EXPECT_EQ(g.graph().nodes.size(), 4u) << what;
    }
  }
}

// Keras PReLU as old TF.js exports spell it: relu(x) + (x - |x|) * c.
ir::ValueId spelled_out_prelu(GraphCase& g, ir::ValueId x, int64_t channels, bool keep_relu, bool output = true) {
  ir::ValueId absolute = g.node("abs", "Abs", {x}, {}, false);
  ir::ValueId negative = g.node("sub", "Sub", {x, absolute}, {}, false);
  ir::ValueId scaled = g.node("mul", "Mul", {negative, g.constant("half_alpha", {channels}, -0.3f, 0.3f)}, {}, false);
  ir::ValueId positive = keep_relu ? g.node("relu", "Relu", {x}, {}, false) : x;
  return g.node("add", "AddV2", {positive, scaled}, {}, output);
}

TEST(FuseDecomposedPrelu, BecomesThePrecedingConvsPrelu) {
  for (bool keep_relu : {true, false}) {
    GraphCase g(50 + keep_relu);
    ir::ValueId x = g.input("x", {2, 7, 7, 4});
    ir::ValueId y = conv(g, x, 4, 6);
    y = g.node("bias", "BiasAdd", {y, g.constant("b", {6})}, {}, false);
    spelled_out_prelu(g, y, 6, keep_relu);
    expect_matches_reference(g, keep_relu ? "relu(x) + (x - |x|) c" : "x + (x - |x|) c");
    CompareResult r = g.compare();
    EXPECT_EQ(r.kernels.size(), 1u) << r.summary();
    infer(g.graph());
    EXPECT_EQ(passes::fuse_decomposed_prelu(g.graph()), 1);
    ASSERT_NE(only_node(g.graph(), "Prelu"), nullptr);
    EXPECT_EQ(g.graph().nodes.size(), 3u);  // conv, bias, prelu
  }
}

// What a converter leaves when it moved the Relu into the producer: x >= 0,
// so x + (x - |x|) c is x.
TEST(FuseDecomposedPrelu, OfANonNegativeTensorIsThatTensor) {
  GraphCase g(55);
  ir::ValueId x = g.input("x", {2, 7, 7, 4});
  ir::ValueId y = conv(g, x, 4, 6);
  y = g.node("bias", "BiasAdd", {y, g.constant("b", {6})}, {}, false);
  y = g.node("act", "Relu", {y}, {}, false);
  spelled_out_prelu(g, y, 6, false);
  expect_matches_reference(g, "relu(x) + (relu(x) - |relu(x)|) c");
  infer(g.graph());
  EXPECT_EQ(passes::fuse_decomposed_prelu(g.graph()), 1);
  EXPECT_EQ(only_node(g.graph(), "Prelu"), nullptr);
  EXPECT_EQ(g.graph().nodes.size(), 3u);  // conv, bias, relu
  EXPECT_EQ(g.graph().values[g.graph().outputs[0]].producer, 2);
}

TEST(FuseDecomposedPrelu, LeavesOtherFormulasAlone) {
  struct Case {
    const char* what;
    std::function<void(GraphCase&, ir::ValueId)> build;
  };
  const std::vector<Case> cases = {
      {"|x| - x", [](GraphCase& g, ir::ValueId x) {
         ir::ValueId a = g.node("abs", "Abs", {x}, {}, false);
         ir::ValueId s = g.node("sub", "Sub", {a, x}, {}, false);
         ir::ValueId m = g.node("mul", "Mul", {s, g.constant("c", {5})}, {}, false);
         g.node("add", "AddV2", {g.node("relu", "Relu", {x}, {}, false), m});
       }},
      {"a scale varying over width", [](GraphCase& g, ir::ValueId x) {
         ir::ValueId a = g.node("abs", "Abs", {x}, {}, false);
         ir::ValueId s = g.node("sub", "Sub", {x, a}, {}, false);
         ir::ValueId m = g.node("mul", "Mul", {s, g.constant("c", {6, 1})}, {}, false);
         g.node("add", "AddV2", {x, m});
       }},
      {"the difference also an output", [](GraphCase& g, ir::ValueId x) {
         ir::ValueId a = g.node("abs", "Abs", {x}, {}, false);
         ir::ValueId s = g.node("sub", "Sub", {x, a});
         ir::ValueId m = g.node("mul", "Mul", {s, g.constant("c", {5})}, {}, false);
         g.node("add", "AddV2", {x, m});
       }},
      {"relu of another tensor", [](GraphCase& g, ir::ValueId x) {
         ir::ValueId a = g.node("abs", "Abs", {x}, {}, false);
         ir::ValueId s = g.node("sub", "Sub", {x, a}, {}, false);
         ir::ValueId m = g.node("mul", "Mul", {s, g.constant("c", {5})}, {}, false);
         ir::ValueId other = g.node("neg", "Neg", {x}, {}, false);
         g.node("add", "AddV2", {g.node("relu", "Relu", {other}, {}, false), m});
       }},
  };
  uint32_t seed = 60;
  for (const Case& c : cases) {
    GraphCase g(seed++);
    ir::ValueId x = g.input("x", {2, 6, 5});
    c.build(g, x);
    expect_matches_reference(g, c.what);
    infer(g.graph());
    EXPECT_EQ(passes::fuse_decomposed_prelu(g.graph()), 0) << c.what;
    EXPECT_EQ(only_node(g.graph(), "Prelu"), nullptr) << c.what;
  }
}

}  // namespace
}  // namespace leanrt::testing
