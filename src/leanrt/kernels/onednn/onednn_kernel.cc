#include "leanrt/kernels/onednn/onednn_kernel.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

#include "leanrt/kernels/onednn/transient_heap.h"
#include "leanrt/kernels/ref/util.h"

namespace leanrt::kernels::onednn {

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  static dnnl::stream stream(cpu_engine());
  return stream;
}

int primitive_threads(double work, int threads, double min_parallel_work) {
  return work < min_parallel_work ? 1 : threads;
}

ThreadCountScope::ThreadCountScope(int threads) : previous_(omp_get_max_threads()) {
  if (const int ceiling = ThreadCeiling::current(); ceiling > 0 && threads > 0) threads = std::min(threads, ceiling);
  if (threads > 0 && threads != previous_) omp_set_num_threads(threads);
  else previous_ = 0;
}

ThreadCountScope::~ThreadCountScope() {
  if (previous_ > 0) omp_set_num_threads(previous_);
}

bool is_reference_implementation(const dnnl::primitive_desc_base& pd) {
  const char* implementation = pd.impl_info_str();
  return implementation != nullptr && std::strncmp(implementation, "ref", 3) == 0;
}

dnnl::primitive_attr base_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

dnnl::memory::desc nhwc_desc(int64_t batch, int64_t height, int64_t width, int64_t channels) {
  return dnnl::memory::desc({batch, channels, height, width}, dnnl::memory::data_type::f32,
                            dnnl::memory::dims{height * width * channels, 1, width * channels, channels});
}

std::string kernel_name(std::string_view op) { return ref::snake_case(op) + "_f32_onednn"; }

Status creation_error(const KernelContext& context, const std::string& what, const dnnl::error& error) {
  return context.unsupported("oneDNN cannot make {}: {} (status {})", what, error.what(), static_cast<int>(error.status));
}

// One primitive, its memory objects and their arguments, all made at
// compile time. run() only updates the data handles of run-time arguments
// and executes.
class OnednnKernel final : public Kernel {
 public:
  explicit OnednnKernel(std::string name) : name_(std::move(name)) {}

  Status run(const KernelIO& io) override {
    for (const Binding& binding : bindings_) {
      const TensorView& view =
          binding.source.kind == RuntimeSource::kInput ? io.input(binding.source.index) : io.output(binding.source.index);
      dnnl_memory_set_data_handle(memories_[binding.memory].get(), view.data);
    }
    if (scratchpad_memory_ >= 0) dnnl_memory_set_data_handle(memories_[scratchpad_memory_].get(), io.scratch);
    dnnl_status_t status;
    {
      ThreadCountScope thread_count(threads_);
      if (accumulate_input_ >= 0) copy_accumulate_input(io);
      TransientHeapScope no_heap;
      status = dnnl_primitive_execute(primitive_.get(), cpu_stream().get(), static_cast<int>(args_.size()),
                                      args_.data());
    }
    if (status == dnnl_success && after_execute_) after_execute_(io);
    if (status != dnnl_success) return internal_error("{}: oneDNN execute failed with status {}", name_, static_cast<int>(status));
    return Status::ok();
  }
  size_t scratch_bytes() const override { return scratch_bytes_; }
  std::string name() const override { return name_; }
  std::vector<int> packed_inputs() const override { return packed_inputs_; }
  size_t packed_weights_bytes() const override { return packed_bytes_; }
  int in_place_input() const override { return in_place_input_; }

 private:
  // The accumulate input into output 0, split across the primitive's threads:
  // one thread's memcpy does not saturate the memory bandwidth.
  void copy_accumulate_input(const KernelIO& io) const {
    const std::byte* from = io.input(accumulate_input_).data;
    std::byte* to = io.output(0).data;
    if (from == to) return;
    const int64_t bytes = static_cast<int64_t>(io.output(0).size_bytes());
    constexpr int64_t kChunkBytes = 1 << 20;
    const int64_t chunks = (bytes + kChunkBytes - 1) / kChunkBytes;
#pragma omp parallel for if (chunks > 1)
    for (int64_t chunk = 0; chunk < chunks; ++chunk) {
      const int64_t begin = chunk * kChunkBytes;
      std::memcpy(to + begin, from + begin, static_cast<size_t>(std::min(kChunkBytes, bytes - begin)));
    }
  }

  friend class OnednnKernelBuilder;
  struct Binding {
    int memory;
    RuntimeSource source;
  };
  int add_memory(int arg, const dnnl::memory::desc& desc, void* data) {
    memories_.emplace_back(desc, cpu_engine(), data);
    const int index = static_cast<int>(memories_.size()) - 1;
    args_.push_back({arg, nullptr});  // the C handle is filled in by finish(): memories_ may still grow
    memory_of_arg_.push_back(index);
    return index;
  }

  std::string name_;
  dnnl::primitive primitive_;
  std::vector<dnnl::memory> memories_;
  std::vector<dnnl_exec_arg_t> args_;
  std::vector<int> memory_of_arg_;
  std::vector<Binding> bindings_;
  std::vector<AlignedBuffer> owned_;
  std::vector<std::shared_ptr<AlignedBuffer>> shared_;  // packed weights, maybe shared with other kernels
  std::vector<int> packed_inputs_;
  int scratchpad_memory_ = -1;
  int threads_ = 0;
  int in_place_input_ = -1;
  int accumulate_input_ = -1;
  std::function<void(const KernelIO&)> after_execute_;
  size_t scratch_bytes_ = 0;
  size_t packed_bytes_ = 0;
};

OnednnKernelBuilder::OnednnKernelBuilder(std::string name) : kernel_(new OnednnKernel(std::move(name))) {}
OnednnKernelBuilder::~OnednnKernelBuilder() = default;

void OnednnKernelBuilder::bind_runtime(int arg, const dnnl::memory::desc& desc, RuntimeSource source) {
  const int memory = kernel_->add_memory(arg, desc, nullptr);
  kernel_->bindings_.push_back({memory, source});
}

void OnednnKernelBuilder::bind_fixed(int arg, const dnnl::memory::desc& desc, const void* data) {
  kernel_->add_memory(arg, desc, const_cast<void*>(data));  // oneDNN only reads inputs
}

namespace {

// Packed weights by (graph, value, layouts), while some kernel holds them.
// Keyed by graph identity and value id, never by address: a freed
// constant's bytes may be reused. An entry whose buffer is gone has expired.
struct PackedEntry {
  const ir::Graph* graph;
  ir::ValueId value;
  dnnl_memory_desc_t source_desc, packed_desc;
  std::weak_ptr<AlignedBuffer> buffer;
};
std::mutex g_packed_mutex;
std::vector<PackedEntry> g_packed;

std::shared_ptr<AlignedBuffer> find_packed(const PackedSource& key,
                                           const dnnl::memory::desc& source_desc,
                                           const dnnl::memory::desc& packed_desc) {
  std::lock_guard<std::mutex> lock(g_packed_mutex);
  std::erase_if(g_packed, [](const PackedEntry& entry) { return entry.buffer.expired(); });
  for (const PackedEntry& entry : g_packed)
    if (entry.graph == key.graph && entry.value == key.value &&
        dnnl_memory_desc_equal(&entry.source_desc, &source_desc.data) &&
        dnnl_memory_desc_equal(&entry.packed_desc, &packed_desc.data))
      return entry.buffer.lock();
  return nullptr;
}

void remember_packed(const PackedSource& key, const dnnl::memory::desc& source_desc,
                     const dnnl::memory::desc& packed_desc, const std::shared_ptr<AlignedBuffer>& buffer) {
  std::lock_guard<std::mutex> lock(g_packed_mutex);
  g_packed.push_back({key.graph, key.value, source_desc.data, packed_desc.data, buffer});
}

}  // namespace

Status OnednnKernelBuilder::bind_packed(int arg, const dnnl::memory::desc& packed_desc,
                                        const dnnl::memory::desc& source_desc, const void* source,
                                        int constant_input, PackedSource shared_from) {
  const bool shareable = shared_from.graph != nullptr && shared_from.value != ir::kNone;
  std::shared_ptr<AlignedBuffer> packed = shareable ? find_packed(shared_from, source_desc, packed_desc) : nullptr;
  if (!packed) {
    packed = std::make_shared<AlignedBuffer>(packed_desc.get_size());
    // Padded blocked layouts read the padding lanes: they must be zero.
    std::memset(packed->data(), 0, packed->size_bytes());
    try {
      dnnl::memory from(source_desc, cpu_engine(), const_cast<void*>(source));
      dnnl::memory to(packed_desc, cpu_engine(), packed->data());
      dnnl::reorder(from, to).execute(cpu_stream(), from, to);
      cpu_stream().wait();
    } catch (const dnnl::error& error) {
      return internal_error("{}: oneDNN cannot reorder the weights: {}", kernel_->name_, error.what());
    }
    if (shareable) remember_packed(shared_from, source_desc, packed_desc, packed);
    kernel_->packed_bytes_ += packed->size_bytes();  // counted by the kernel that made it
  }
  bind_fixed(arg, packed_desc, packed->data());
  kernel_->shared_.push_back(std::move(packed));
  if (constant_input >= 0) mark_packed(constant_input);
  return Status::ok();
}

void OnednnKernelBuilder::set_in_place_input(int input) { kernel_->in_place_input_ = input; }

void OnednnKernelBuilder::set_accumulate_input(int input) { kernel_->accumulate_input_ = input; }

void OnednnKernelBuilder::set_after_execute(std::function<void(const KernelIO&)> after) {
  kernel_->after_execute_ = std::move(after);
}

void OnednnKernelBuilder::mark_packed(int constant_input) { kernel_->packed_inputs_.push_back(constant_input); }

const void* OnednnKernelBuilder::keep(AlignedBuffer buffer) {
  kernel_->owned_.push_back(std::move(buffer));
  return kernel_->owned_.back().data();
}

KernelPtr OnednnKernelBuilder::finish(dnnl::primitive primitive, const dnnl::memory::desc& scratchpad_desc,
                                      int threads) {
  kernel_->primitive_ = std::move(primitive);
  kernel_->threads_ = threads;
  kernel_->scratch_bytes_ = scratchpad_desc.get_size();
  if (kernel_->scratch_bytes_ > 0) kernel_->scratchpad_memory_ = kernel_->add_memory(DNNL_ARG_SCRATCHPAD, scratchpad_desc, nullptr);
  for (size_t a = 0; a < kernel_->args_.size(); ++a) kernel_->args_[a].memory = kernel_->memories_[kernel_->memory_of_arg_[a]].get();
  return KernelPtr(kernel_.release());
}

}  // namespace leanrt::kernels::onednn
