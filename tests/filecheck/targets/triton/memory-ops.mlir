// RUN: stepwell-opt %s --emit triton | filecheck %s

// Memory ops the conversion does not produce yet print too.
// A load's and a store's cache hints print as tl.load / tl.store keywords.
// CHECK:      def k(x_ptr, y_ptr):
// CHECK:        v = tl.load(x_ptr, cache_modifier=".cg", eviction_policy="evict_first")
// CHECK-NEXT:   tl.store(y_ptr, v, cache_modifier=".cs")
// CHECK-NEXT:   w = tl.load(x_ptr)
gpu_block.kernel @k(%x_ptr: !gpu_block.ptr<f32>, %y_ptr: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %v = gpu_block.load %x_ptr cache cg evict first : !gpu_block.ptr<f32>
  gpu_block.store %y_ptr, %v cache cs : !gpu_block.ptr<f32>
  %w = gpu_block.load %x_ptr : !gpu_block.ptr<f32>
  gpu_block.return
}

// An atomic read-modify-write (a split reduction's meeting point) prints as tl.atomic_*.
// CHECK:      def a(x_ptr, v):
// CHECK-NEXT:   tl.atomic_add(x_ptr, v)
// CHECK-NEXT:   tl.atomic_max(x_ptr, v)
gpu_block.kernel @a(%x_ptr: !gpu_block.ptr<f32>, %v: f32) grid [1] num_warps = 4 {
  gpu_block.atomic_rmw add %x_ptr, %v : !gpu_block.ptr<f32>
  gpu_block.atomic_rmw max %x_ptr, %v : !gpu_block.ptr<f32>
  gpu_block.return
}
