;; A stand-in for what `opa build -t wasm` emits, written by hand because no `opa` binary exists
;; here. It speaks OPA's Wasm ABI 1.2 (the functions and globals @open-policy-agent/opa-wasm calls)
;; so the SDK's real code paths run against it: the ABI globals, builtins(), entrypoints(),
;; opa_malloc/opa_json_parse/opa_json_dump through the module's own memory, setData, opa_eval (ABI
;; 1.2) and the older opa_eval_ctx_* + eval path (ABI 1.1, the same module with its minor version
;; set to 1), a built-in called through env.opa_builtin1 (served by the host's customBuiltins), and
;; env.opa_abort.
;;
;; Unlike OPA's runtime it keeps every value as its JSON text (a NUL-terminated string in linear
;; memory): opa_json_parse copies the text, opa_json_dump returns it. The "policy" is, in Rego:
;;
;;   package authz
;;   default allow := false
;;   allow if <input's JSON mentions the string data.allowed_client>    # e.g. "alpha-svc"
;;   deny contains "subject is blocked by the wasm policy" if <input mentions "blocked-subject">
;;   ttl := units.parse("300")                                          # via customBuiltins
;;
;; and evaluating allow aborts (opa_abort) when the input mentions "wasm-abort", reports a
;; conflict when it mentions "wasm-conflict", and spins for 2^32 iterations (seconds) when it
;; mentions "wasm-hang": long enough to pass the STS's deadline, yet finite, because workerd
;; enforces no CPU limit locally and a truly endless loop would stall the whole test process (at
;; the edge, the child's limits.cpuMs ends it).
;; test/wasm/build.ts assembles it (wat2wasm) and derives the variants the tests need by
;; replacing the JSON constants below (each sits in its own data segment).
(module
  (import "env" "memory" (memory 2))
  (import "env" "opa_abort" (func $opa_abort (param i32)))
  (import "env" "opa_println" (func $opa_println (param i32)))
  (import "env" "opa_builtin0" (func $opa_builtin0 (param i32 i32) (result i32)))
  (import "env" "opa_builtin1" (func $opa_builtin1 (param i32 i32 i32) (result i32)))
  (import "env" "opa_builtin2" (func $opa_builtin2 (param i32 i32 i32 i32) (result i32)))
  (import "env" "opa_builtin3" (func $opa_builtin3 (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "opa_builtin4" (func $opa_builtin4 (param i32 i32 i32 i32 i32 i32) (result i32)))

  (global (export "opa_wasm_abi_version") i32 (i32.const 1))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const 2))
  ;; the heap starts above the constants
  (global $heap (mut i32) (i32.const 65536))

  ;; constants, each NUL-terminated in its own segment
  (data (i32.const 1024) "{\"units.parse\":0}\00")                                  ;; BUILTINS
  (data (i32.const 2048) "{\"authz/allow\":0,\"authz/deny\":1,\"authz/ttl\":2}\00")   ;; ENTRYPOINTS
  (data (i32.const 3072) "\"allowed_client\":\"\00")
  (data (i32.const 3200) "\"wasm-abort\"\00")
  (data (i32.const 3264) "\"wasm-hang\"\00")
  (data (i32.const 3328) "\"blocked-subject\"\00")
  (data (i32.const 3392) "\"wasm-conflict\"\00")
  (data (i32.const 3456) "authz/allow: policy aborted on request of its input\00")
  (data (i32.const 3584) "authz/allow: eval_conflict_error: complete rules must not produce multiple outputs\00")
  (data (i32.const 3776) "[{\"result\":true}]\00")
  (data (i32.const 3840) "[{\"result\":false}]\00")
  (data (i32.const 3904) "[{\"result\":[\"subject is blocked by the wasm policy\"]}]\00")
  (data (i32.const 4032) "[{\"result\":[]}]\00")
  (data (i32.const 4096) "[{\"result\":\00")
  (data (i32.const 4160) "}]\00")
  (data (i32.const 4224) "\"300\"\00")
  (data (i32.const 4288) "[]\00")

  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  (func $copy (param $dst i32) (param $src i32) (param $len i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (i32.store8 (i32.add (local.get $dst) (local.get $i)) (i32.load8_u (i32.add (local.get $src) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  ;; index of needle[0..nlen) in the NUL-terminated hay, or -1
  (func $find (param $hay i32) (param $needle i32) (param $nlen i32) (result i32)
    (local $i i32) (local $j i32) (local $hlen i32)
    (local.set $hlen (call $strlen (local.get $hay)))
    (block $none
      (loop $outer
        (br_if $none (i32.gt_s (i32.add (local.get $i) (local.get $nlen)) (local.get $hlen)))
        (local.set $j (i32.const 0))
        (block $mismatch
          (loop $inner
            (if (i32.ge_u (local.get $j) (local.get $nlen)) (then (return (local.get $i))))
            (br_if $mismatch
              (i32.ne
                (i32.load8_u (i32.add (i32.add (local.get $hay) (local.get $i)) (local.get $j)))
                (i32.load8_u (i32.add (local.get $needle) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $inner)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (i32.const -1))

  (func $mentions (param $hay i32) (param $cstr i32) (result i32)
    (if (i32.eqz (local.get $hay)) (then (return (i32.const 0))))
    (i32.ge_s (call $find (local.get $hay) (local.get $cstr) (call $strlen (local.get $cstr))) (i32.const 0)))

  (func $opa_malloc (export "opa_malloc") (param $n i32) (result i32)
    (local $p i32) (local $end i32)
    (local.set $p (global.get $heap))
    (local.set $end (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.lt_s
              (memory.grow (i32.add (i32.div_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 65536)) (i32.const 1)))
              (i32.const 0))
          (then (call $opa_abort (i32.const 3456)) (unreachable)))))
    (global.set $heap (local.get $end))
    (local.get $p))

  (func (export "opa_free") (param i32))
  (func (export "opa_heap_ptr_get") (result i32) (global.get $heap))
  (func (export "opa_heap_ptr_set") (param $p i32) (global.set $heap (local.get $p)))

  ;; a value is its JSON text: parsing copies it, NUL-terminated, onto the heap
  (func $opa_json_parse (export "opa_json_parse") (param $src i32) (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (call $opa_malloc (i32.add (local.get $len) (i32.const 1))))
    (call $copy (local.get $p) (local.get $src) (local.get $len))
    (i32.store8 (i32.add (local.get $p) (local.get $len)) (i32.const 0))
    (local.get $p))
  (func (export "opa_value_parse") (param i32 i32) (result i32) (call $opa_json_parse (local.get 0) (local.get 1)))
  (func (export "opa_json_dump") (param $v i32) (result i32) (local.get $v))
  (func (export "opa_value_dump") (param $v i32) (result i32) (local.get $v))

  (func (export "builtins") (result i32) (i32.const 1024))
  (func (export "entrypoints") (result i32) (i32.const 2048))

  ;; a + b + c as a new NUL-terminated string
  (func $concat3 (param $a i32) (param $b i32) (param $c i32) (result i32)
    (local $la i32) (local $lb i32) (local $lc i32) (local $p i32)
    (local.set $la (call $strlen (local.get $a)))
    (local.set $lb (call $strlen (local.get $b)))
    (local.set $lc (call $strlen (local.get $c)))
    (local.set $p (call $opa_malloc (i32.add (i32.add (i32.add (local.get $la) (local.get $lb)) (local.get $lc)) (i32.const 1))))
    (call $copy (local.get $p) (local.get $a) (local.get $la))
    (call $copy (i32.add (local.get $p) (local.get $la)) (local.get $b) (local.get $lb))
    (call $copy (i32.add (i32.add (local.get $p) (local.get $la)) (local.get $lb)) (local.get $c) (local.get $lc))
    (i32.store8 (i32.add (i32.add (i32.add (local.get $p) (local.get $la)) (local.get $lb)) (local.get $lc)) (i32.const 0))
    (local.get $p))

  (func $spin
    (local $i i32)
    (local.set $i (i32.const 1))
    (loop $again
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.ne (local.get $i) (i32.const 0)))))

  ;; allow: the quoted value after "allowed_client":" in data, found in the input
  (func $allow (param $input i32) (param $data i32) (result i32)
    (local $k i32) (local $start i32) (local $end i32)
    (if (call $mentions (local.get $input) (i32.const 3200)) (then (call $opa_abort (i32.const 3456)) (unreachable)))
    (if (call $mentions (local.get $input) (i32.const 3392)) (then (call $opa_abort (i32.const 3584)) (unreachable)))
    (if (call $mentions (local.get $input) (i32.const 3264)) (then (call $spin)))
    (if (i32.or (i32.eqz (local.get $input)) (i32.eqz (local.get $data))) (then (return (i32.const 3840))))
    (local.set $k (call $find (local.get $data) (i32.const 3072) (call $strlen (i32.const 3072))))
    (if (i32.lt_s (local.get $k) (i32.const 0)) (then (return (i32.const 3840))))
    ;; $start points at the opening quote of the value, $end at its closing quote
    (local.set $start (i32.add (i32.add (local.get $data) (local.get $k)) (i32.sub (call $strlen (i32.const 3072)) (i32.const 1))))
    (local.set $end (i32.add (local.get $start) (i32.const 1)))
    (block $closed
      (loop $scan
        (br_if $closed (i32.eq (i32.load8_u (local.get $end)) (i32.const 34)))
        (if (i32.eqz (i32.load8_u (local.get $end))) (then (return (i32.const 3840))))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (br $scan)))
    (if (result i32)
      (i32.ge_s (call $find (local.get $input) (local.get $start) (i32.add (i32.sub (local.get $end) (local.get $start)) (i32.const 1))) (i32.const 0))
      (then (i32.const 3776))
      (else (i32.const 3840))))

  (func $deny (param $input i32) (result i32)
    (if (result i32) (call $mentions (local.get $input) (i32.const 3328)) (then (i32.const 3904)) (else (i32.const 4032))))

  ;; ttl := units.parse("300"), built-in 0 of builtins()
  (func $ttl (result i32)
    (local $v i32)
    (local.set $v (call $opa_builtin1 (i32.const 0) (i32.const 0) (call $opa_json_parse (i32.const 4224) (i32.const 5))))
    (if (i32.eqz (local.get $v)) (then (return (i32.const 4288))))
    (call $concat3 (i32.const 4096) (local.get $v) (i32.const 4160)))

  (func $run (param $entrypoint i32) (param $input i32) (param $data i32) (result i32)
    (if (i32.eq (local.get $entrypoint) (i32.const 0)) (then (return (call $allow (local.get $input) (local.get $data)))))
    (if (i32.eq (local.get $entrypoint) (i32.const 1)) (then (return (call $deny (local.get $input)))))
    (if (i32.eq (local.get $entrypoint) (i32.const 2)) (then (return (call $ttl))))
    (i32.const 4288))

  ;; ABI 1.1: an evaluation context of four words (input, data, entrypoint, result)
  (func (export "opa_eval_ctx_new") (result i32)
    (local $c i32)
    (local.set $c (call $opa_malloc (i32.const 16)))
    (i32.store (local.get $c) (i32.const 0))
    (i32.store offset=4 (local.get $c) (i32.const 0))
    (i32.store offset=8 (local.get $c) (i32.const 0))
    (i32.store offset=12 (local.get $c) (i32.const 0))
    (local.get $c))
  (func (export "opa_eval_ctx_set_input") (param $c i32) (param $v i32) (i32.store (local.get $c) (local.get $v)))
  (func (export "opa_eval_ctx_set_data") (param $c i32) (param $v i32) (i32.store offset=4 (local.get $c) (local.get $v)))
  (func (export "opa_eval_ctx_set_entrypoint") (param $c i32) (param $e i32) (i32.store offset=8 (local.get $c) (local.get $e)))
  (func (export "opa_eval_ctx_get_result") (param $c i32) (result i32) (i32.load offset=12 (local.get $c)))
  (func (export "eval") (param $c i32) (result i32)
    (i32.store offset=12 (local.get $c)
      (call $run (i32.load offset=8 (local.get $c)) (i32.load (local.get $c)) (i32.load offset=4 (local.get $c))))
    (i32.const 0))

  ;; ABI 1.2: one call; the input's JSON text is already in memory at $in, the heap starts at $heapPtr
  (func (export "opa_eval")
    (param $reserved i32) (param $entrypoint i32) (param $data i32) (param $in i32) (param $inLen i32) (param $heapPtr i32) (param $format i32)
    (result i32)
    (local $input i32)
    (global.set $heap (local.get $heapPtr))
    (if (i32.gt_u (local.get $inLen) (i32.const 0))
      (then (local.set $input (call $opa_json_parse (local.get $in) (local.get $inLen)))))
    (call $run (local.get $entrypoint) (local.get $input) (local.get $data)))
)
