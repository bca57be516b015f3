// parse_info(): sentinelRefreshInstanceInfo()'s reading of INFO, on real redis-server 7.0.15
// output and on hand-made malformed replies.

#include "sentinel/core/info_report.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using sentinel::core::c_atoi;
using sentinel::core::c_strtoll;
using sentinel::core::c_strtoull;
using sentinel::core::InfoReport;
using sentinel::core::kMaxInfoLineLength;
using sentinel::core::kMaxInfoReplicas;
using sentinel::core::parse_info;
using sentinel::core::ReportedRole;

using namespace std::string_view_literals;

namespace {

// The fixtures below are INFO replies captured from Debian's redis-server 7.0.15 on loopback
// (the byte-exact CRLF copies are in tests/unit/fixtures/, see README.md there). They are
// pasted as raw strings so the test binary needs no data files; a source file holds LF line
// ends, so crlf() restores the wire form.
// `INFO` of a master with two online replicas (the second has replica-priority 0 and
// replica-announced no, which the master's list does not show).
constexpr std::string_view kInfoMaster = R"info(# Server
redis_version:7.0.15
redis_git_sha1:00000000
redis_git_dirty:0
redis_build_id:ae4d7c971a948f0
redis_mode:standalone
os:Linux 6.18.44-fc-v657 x86_64
arch_bits:64
monotonic_clock:POSIX clock_gettime
multiplexing_api:epoll
atomicvar_api:c11-builtin
gcc_version:12.2.0
process_id:28655
process_supervised:no
run_id:b7c5eaef1bd558e032a97e163ba80f5655eca0af
tcp_port:44847
server_time_usec:1795307432672837
uptime_in_seconds:6
uptime_in_days:0
hz:10
configured_hz:10
lru_clock:145320
executable:/tmp/infocap/redis-server
config_file:
io_threads_active:0

# Clients
connected_clients:1
cluster_connections:0
maxclients:10000
client_recent_max_input_buffer:20480
client_recent_max_output_buffer:20504
blocked_clients:0
tracking_clients:0
clients_in_timeout_table:0

# Memory
used_memory:1106736
used_memory_human:1.06M
used_memory_rss:12464128
used_memory_rss_human:11.89M
used_memory_peak:1106736
used_memory_peak_human:1.06M
used_memory_peak_perc:100.22%
used_memory_overhead:897068
used_memory_startup:876288
used_memory_dataset:209668
used_memory_dataset_perc:90.98%
allocator_allocated:1912032
allocator_active:2088960
allocator_resident:4759552
total_system_memory:25276510208
total_system_memory_human:23.54G
used_memory_lua:32768
used_memory_vm_eval:32768
used_memory_lua_human:32.00K
used_memory_scripts_eval:0
number_of_cached_scripts:0
number_of_functions:0
number_of_libraries:0
used_memory_vm_functions:33792
used_memory_vm_total:66560
used_memory_vm_total_human:65.00K
used_memory_functions:200
used_memory_scripts:200
used_memory_scripts_human:200B
maxmemory:0
maxmemory_human:0B
maxmemory_policy:noeviction
allocator_frag_ratio:1.09
allocator_frag_bytes:176928
allocator_rss_ratio:2.28
allocator_rss_bytes:2670592
rss_overhead_ratio:2.62
rss_overhead_bytes:7704576
mem_fragmentation_ratio:11.69
mem_fragmentation_bytes:11397992
mem_not_counted_for_evict:0
mem_replication_backlog:20508
mem_total_replication_buffers:20504
mem_clients_slaves:0
mem_clients_normal:0
mem_cluster_links:0
mem_aof_buffer:0
mem_allocator:jemalloc-5.3.0
active_defrag_running:0
lazyfree_pending_objects:0
lazyfreed_objects:0

# Persistence
loading:0
async_loading:0
current_cow_peak:0
current_cow_size:0
current_cow_size_age:0
current_fork_perc:0.00
current_save_keys_processed:0
current_save_keys_total:0
rdb_changes_since_last_save:1
rdb_bgsave_in_progress:0
rdb_last_save_time:1795307426
rdb_last_bgsave_status:ok
rdb_last_bgsave_time_sec:0
rdb_current_bgsave_time_sec:-1
rdb_saves:0
rdb_last_cow_size:331776
rdb_last_load_keys_expired:0
rdb_last_load_keys_loaded:0
aof_enabled:0
aof_rewrite_in_progress:0
aof_rewrite_scheduled:0
aof_last_rewrite_time_sec:-1
aof_current_rewrite_time_sec:-1
aof_last_bgrewrite_status:ok
aof_rewrites:0
aof_rewrites_consecutive_failures:0
aof_last_write_status:ok
aof_last_cow_size:0
module_fork_in_progress:0
module_fork_last_cow_size:0

# Stats
total_connections_received:6
total_commands_processed:17
instantaneous_ops_per_sec:4
total_net_input_bytes:601
total_net_output_bytes:1141
total_net_repl_input_bytes:0
total_net_repl_output_bytes:618
instantaneous_input_kbps:0.16
instantaneous_output_kbps:0.65
instantaneous_input_repl_kbps:0.00
instantaneous_output_repl_kbps:0.36
rejected_connections:0
sync_full:2
sync_partial_ok:0
sync_partial_err:0
expired_keys:0
expired_stale_perc:0.00
expired_time_cap_reached_count:0
expire_cycle_cpu_milliseconds:0
evicted_keys:0
evicted_clients:0
total_eviction_exceeded_time:0
current_eviction_exceeded_time:0
keyspace_hits:0
keyspace_misses:0
pubsub_channels:0
pubsub_patterns:0
pubsubshard_channels:0
latest_fork_usec:611
total_forks:1
migrate_cached_sockets:0
slave_expires_tracked_keys:0
active_defrag_hits:0
active_defrag_misses:0
active_defrag_key_hits:0
active_defrag_key_misses:0
total_active_defrag_time:0
current_active_defrag_time:0
tracking_total_keys:0
tracking_total_items:0
tracking_total_prefixes:0
unexpected_error_replies:0
total_error_replies:0
dump_payload_sanitizations:0
total_reads_processed:21
total_writes_processed:13
io_threaded_reads_processed:0
io_threaded_writes_processed:0
reply_buffer_shrinks:2
reply_buffer_expands:0

# Replication
role:master
connected_slaves:2
slave0:ip=127.0.0.1,port=37093,state=online,offset=50,lag=0
slave1:ip=127.0.0.1,port=55493,state=online,offset=50,lag=0
master_failover_state:no-failover
master_replid:d96df7971bcff2cc43b1f1ed63a0afb38d4af8fd
master_replid2:0000000000000000000000000000000000000000
master_repl_offset:50
second_repl_offset:-1
repl_backlog_active:1
repl_backlog_size:1048576
repl_backlog_first_byte_offset:1
repl_backlog_histlen:50

# CPU
used_cpu_sys:0.012537
used_cpu_user:0.014660
used_cpu_sys_children:0.000000
used_cpu_user_children:0.002256
used_cpu_sys_main_thread:0.013553
used_cpu_user_main_thread:0.013553

# Modules

# Errorstats

# Cluster
cluster_enabled:0

# Keyspace
db0:keys=1,expires=0,avg_ttl=0
)info";

// `INFO` of the first replica, link up.
constexpr std::string_view kInfoReplica = R"info(# Server
redis_version:7.0.15
redis_git_sha1:00000000
redis_git_dirty:0
redis_build_id:ae4d7c971a948f0
redis_mode:standalone
os:Linux 6.18.44-fc-v657 x86_64
arch_bits:64
monotonic_clock:POSIX clock_gettime
multiplexing_api:epoll
atomicvar_api:c11-builtin
gcc_version:12.2.0
process_id:28660
process_supervised:no
run_id:16e136dd846c0111ec75940914bd63845dc52524
tcp_port:37093
server_time_usec:1795307432673510
uptime_in_seconds:6
uptime_in_days:0
hz:10
configured_hz:10
lru_clock:145320
executable:/tmp/infocap/redis-server
config_file:
io_threads_active:0

# Clients
connected_clients:2
cluster_connections:0
maxclients:10000
client_recent_max_input_buffer:20480
client_recent_max_output_buffer:0
blocked_clients:0
tracking_clients:0
clients_in_timeout_table:0

# Memory
used_memory:1038920
used_memory_human:1014.57K
used_memory_rss:12439552
used_memory_rss_human:11.86M
used_memory_peak:1054640
used_memory_peak_human:1.01M
used_memory_peak_perc:98.51%
used_memory_overhead:898996
used_memory_startup:876360
used_memory_dataset:139924
used_memory_dataset_perc:86.08%
allocator_allocated:1487520
allocator_active:1802240
allocator_resident:4681728
total_system_memory:25276510208
total_system_memory_human:23.54G
used_memory_lua:32768
used_memory_vm_eval:32768
used_memory_lua_human:32.00K
used_memory_scripts_eval:0
number_of_cached_scripts:0
number_of_functions:0
number_of_libraries:0
used_memory_vm_functions:33792
used_memory_vm_total:66560
used_memory_vm_total_human:65.00K
used_memory_functions:200
used_memory_scripts:200
used_memory_scripts_human:200B
maxmemory:0
maxmemory_human:0B
maxmemory_policy:noeviction
allocator_frag_ratio:1.21
allocator_frag_bytes:314720
allocator_rss_ratio:2.60
allocator_rss_bytes:2879488
rss_overhead_ratio:2.66
rss_overhead_bytes:7757824
mem_fragmentation_ratio:12.46
mem_fragmentation_bytes:11441264
mem_not_counted_for_evict:0
mem_replication_backlog:20508
mem_total_replication_buffers:20504
mem_clients_slaves:0
mem_clients_normal:1856
mem_cluster_links:0
mem_aof_buffer:0
mem_allocator:jemalloc-5.3.0
active_defrag_running:0
lazyfree_pending_objects:0
lazyfreed_objects:0

# Persistence
loading:0
async_loading:0
current_cow_peak:0
current_cow_size:0
current_cow_size_age:0
current_fork_perc:0.00
current_save_keys_processed:0
current_save_keys_total:0
rdb_changes_since_last_save:1
rdb_bgsave_in_progress:0
rdb_last_save_time:1795307426
rdb_last_bgsave_status:ok
rdb_last_bgsave_time_sec:-1
rdb_current_bgsave_time_sec:-1
rdb_saves:0
rdb_last_cow_size:0
rdb_last_load_keys_expired:0
rdb_last_load_keys_loaded:0
aof_enabled:0
aof_rewrite_in_progress:0
aof_rewrite_scheduled:0
aof_last_rewrite_time_sec:-1
aof_current_rewrite_time_sec:-1
aof_last_bgrewrite_status:ok
aof_rewrites:0
aof_rewrites_consecutive_failures:0
aof_last_write_status:ok
aof_last_cow_size:0
module_fork_in_progress:0
module_fork_last_cow_size:0

# Stats
total_connections_received:99
total_commands_processed:100
instantaneous_ops_per_sec:7
total_net_input_bytes:3441
total_net_output_bytes:60504
total_net_repl_input_bytes:309
total_net_repl_output_bytes:0
instantaneous_input_kbps:0.38
instantaneous_output_kbps:3.82
instantaneous_input_repl_kbps:0.19
instantaneous_output_repl_kbps:0.00
rejected_connections:0
sync_full:0
sync_partial_ok:0
sync_partial_err:0
expired_keys:0
expired_stale_perc:0.00
expired_time_cap_reached_count:0
expire_cycle_cpu_milliseconds:0
evicted_keys:0
evicted_clients:0
total_eviction_exceeded_time:0
current_eviction_exceeded_time:0
keyspace_hits:0
keyspace_misses:0
pubsub_channels:0
pubsub_patterns:0
pubsubshard_channels:0
latest_fork_usec:0
total_forks:0
migrate_cached_sockets:0
slave_expires_tracked_keys:0
active_defrag_hits:0
active_defrag_misses:0
active_defrag_key_hits:0
active_defrag_key_misses:0
total_active_defrag_time:0
current_active_defrag_time:0
tracking_total_keys:0
tracking_total_items:0
tracking_total_prefixes:0
unexpected_error_replies:0
total_error_replies:0
dump_payload_sanitizations:0
total_reads_processed:198
total_writes_processed:101
io_threaded_reads_processed:0
io_threaded_writes_processed:0
reply_buffer_shrinks:1
reply_buffer_expands:0

# Replication
role:slave
master_host:127.0.0.1
master_port:44847
master_link_status:up
master_last_io_seconds_ago:1
master_sync_in_progress:0
slave_read_repl_offset:50
slave_repl_offset:50
slave_priority:100
slave_read_only:1
replica_announced:1
connected_slaves:0
master_failover_state:no-failover
master_replid:d96df7971bcff2cc43b1f1ed63a0afb38d4af8fd
master_replid2:0000000000000000000000000000000000000000
master_repl_offset:50
second_repl_offset:-1
repl_backlog_active:1
repl_backlog_size:1048576
repl_backlog_first_byte_offset:1
repl_backlog_histlen:50

# CPU
used_cpu_sys:0.023633
used_cpu_user:0.020079
used_cpu_sys_children:0.000000
used_cpu_user_children:0.000000
used_cpu_sys_main_thread:0.029035
used_cpu_user_main_thread:0.014517

# Modules

# Errorstats

# Cluster
cluster_enabled:0

# Keyspace
db0:keys=1,expires=0,avg_ttl=0
)info";

// `INFO` of the second replica: replica-priority 0, replica-announced no.
constexpr std::string_view kInfoReplicaPriority0 = R"info(# Server
redis_version:7.0.15
redis_git_sha1:00000000
redis_git_dirty:0
redis_build_id:ae4d7c971a948f0
redis_mode:standalone
os:Linux 6.18.44-fc-v657 x86_64
arch_bits:64
monotonic_clock:POSIX clock_gettime
multiplexing_api:epoll
atomicvar_api:c11-builtin
gcc_version:12.2.0
process_id:28665
process_supervised:no
run_id:d047d660b2aac72d2bf599656f240aceba449832
tcp_port:55493
server_time_usec:1795307432674128
uptime_in_seconds:6
uptime_in_days:0
hz:10
configured_hz:10
lru_clock:145320
executable:/tmp/infocap/redis-server
config_file:
io_threads_active:0

# Clients
connected_clients:2
cluster_connections:0
maxclients:10000
client_recent_max_input_buffer:64
client_recent_max_output_buffer:0
blocked_clients:0
tracking_clients:0
clients_in_timeout_table:0

# Memory
used_memory:1039032
used_memory_human:1014.68K
used_memory_rss:12521472
used_memory_rss_human:11.94M
used_memory_peak:1054752
used_memory_peak_human:1.01M
used_memory_peak_perc:98.51%
used_memory_overhead:899108
used_memory_startup:876472
used_memory_dataset:139924
used_memory_dataset_perc:86.08%
allocator_allocated:1826016
allocator_active:1986560
allocator_resident:4702208
total_system_memory:25276510208
total_system_memory_human:23.54G
used_memory_lua:32768
used_memory_vm_eval:32768
used_memory_lua_human:32.00K
used_memory_scripts_eval:0
number_of_cached_scripts:0
number_of_functions:0
number_of_libraries:0
used_memory_vm_functions:33792
used_memory_vm_total:66560
used_memory_vm_total_human:65.00K
used_memory_functions:200
used_memory_scripts:200
used_memory_scripts_human:200B
maxmemory:0
maxmemory_human:0B
maxmemory_policy:noeviction
allocator_frag_ratio:1.09
allocator_frag_bytes:160544
allocator_rss_ratio:2.37
allocator_rss_bytes:2715648
rss_overhead_ratio:2.66
rss_overhead_bytes:7819264
mem_fragmentation_ratio:12.54
mem_fragmentation_bytes:11523072
mem_not_counted_for_evict:0
mem_replication_backlog:20508
mem_total_replication_buffers:20504
mem_clients_slaves:0
mem_clients_normal:1856
mem_cluster_links:0
mem_aof_buffer:0
mem_allocator:jemalloc-5.3.0
active_defrag_running:0
lazyfree_pending_objects:0
lazyfreed_objects:0

# Persistence
loading:0
async_loading:0
current_cow_peak:0
current_cow_size:0
current_cow_size_age:0
current_fork_perc:0.00
current_save_keys_processed:0
current_save_keys_total:0
rdb_changes_since_last_save:1
rdb_bgsave_in_progress:0
rdb_last_save_time:1795307426
rdb_last_bgsave_status:ok
rdb_last_bgsave_time_sec:-1
rdb_current_bgsave_time_sec:-1
rdb_saves:0
rdb_last_cow_size:0
rdb_last_load_keys_expired:0
rdb_last_load_keys_loaded:0
aof_enabled:0
aof_rewrite_in_progress:0
aof_rewrite_scheduled:0
aof_last_rewrite_time_sec:-1
aof_current_rewrite_time_sec:-1
aof_last_bgrewrite_status:ok
aof_rewrites:0
aof_rewrites_consecutive_failures:0
aof_last_write_status:ok
aof_last_cow_size:0
module_fork_in_progress:0
module_fork_last_cow_size:0

# Stats
total_connections_received:3
total_commands_processed:4
instantaneous_ops_per_sec:1
total_net_input_bytes:369
total_net_output_bytes:694
total_net_repl_input_bytes:309
total_net_repl_output_bytes:0
instantaneous_input_kbps:0.21
instantaneous_output_kbps:0.42
instantaneous_input_repl_kbps:0.19
instantaneous_output_repl_kbps:0.00
rejected_connections:0
sync_full:0
sync_partial_ok:0
sync_partial_err:0
expired_keys:0
expired_stale_perc:0.00
expired_time_cap_reached_count:0
expire_cycle_cpu_milliseconds:0
evicted_keys:0
evicted_clients:0
total_eviction_exceeded_time:0
current_eviction_exceeded_time:0
keyspace_hits:0
keyspace_misses:0
pubsub_channels:0
pubsub_patterns:0
pubsubshard_channels:0
latest_fork_usec:0
total_forks:0
migrate_cached_sockets:0
slave_expires_tracked_keys:0
active_defrag_hits:0
active_defrag_misses:0
active_defrag_key_hits:0
active_defrag_key_misses:0
total_active_defrag_time:0
current_active_defrag_time:0
tracking_total_keys:0
tracking_total_items:0
tracking_total_prefixes:0
unexpected_error_replies:0
total_error_replies:0
dump_payload_sanitizations:0
total_reads_processed:6
total_writes_processed:5
io_threaded_reads_processed:0
io_threaded_writes_processed:0
reply_buffer_shrinks:1
reply_buffer_expands:0

# Replication
role:slave
master_host:127.0.0.1
master_port:44847
master_link_status:up
master_last_io_seconds_ago:1
master_sync_in_progress:0
slave_read_repl_offset:50
slave_repl_offset:50
slave_priority:0
slave_read_only:1
replica_announced:0
connected_slaves:0
master_failover_state:no-failover
master_replid:d96df7971bcff2cc43b1f1ed63a0afb38d4af8fd
master_replid2:0000000000000000000000000000000000000000
master_repl_offset:50
second_repl_offset:-1
repl_backlog_active:1
repl_backlog_size:1048576
repl_backlog_first_byte_offset:1
repl_backlog_histlen:50

# CPU
used_cpu_sys:0.006471
used_cpu_user:0.015473
used_cpu_sys_children:0.000000
used_cpu_user_children:0.000000
used_cpu_sys_main_thread:0.008658
used_cpu_user_main_thread:0.013160

# Modules

# Errorstats

# Cluster
cluster_enabled:0

# Keyspace
db0:keys=1,expires=0,avg_ttl=0
)info";

// `INFO` of the first replica about 2 s after its master was killed.
constexpr std::string_view kInfoReplicaLinkDown = R"info(# Server
redis_version:7.0.15
redis_git_sha1:00000000
redis_git_dirty:0
redis_build_id:ae4d7c971a948f0
redis_mode:standalone
os:Linux 6.18.44-fc-v657 x86_64
arch_bits:64
monotonic_clock:POSIX clock_gettime
multiplexing_api:epoll
atomicvar_api:c11-builtin
gcc_version:12.2.0
process_id:28660
process_supervised:no
run_id:16e136dd846c0111ec75940914bd63845dc52524
tcp_port:37093
server_time_usec:1795307434877367
uptime_in_seconds:8
uptime_in_days:0
hz:10
configured_hz:10
lru_clock:145322
executable:/tmp/infocap/redis-server
config_file:
io_threads_active:0

# Clients
connected_clients:1
cluster_connections:0
maxclients:10000
client_recent_max_input_buffer:20480
client_recent_max_output_buffer:0
blocked_clients:0
tracking_clients:0
clients_in_timeout_table:0

# Memory
used_memory:1079672
used_memory_human:1.03M
used_memory_rss:12439552
used_memory_rss_human:11.86M
used_memory_peak:1079672
used_memory_peak_human:1.03M
used_memory_peak_perc:102.11%
used_memory_overhead:898996
used_memory_startup:876360
used_memory_dataset:180676
used_memory_dataset_perc:88.87%
allocator_allocated:1736504
allocator_active:2068480
allocator_resident:4853760
total_system_memory:25276510208
total_system_memory_human:23.54G
used_memory_lua:32768
used_memory_vm_eval:32768
used_memory_lua_human:32.00K
used_memory_scripts_eval:0
number_of_cached_scripts:0
number_of_functions:0
number_of_libraries:0
used_memory_vm_functions:33792
used_memory_vm_total:66560
used_memory_vm_total_human:65.00K
used_memory_functions:200
used_memory_scripts:200
used_memory_scripts_human:200B
maxmemory:0
maxmemory_human:0B
maxmemory_policy:noeviction
allocator_frag_ratio:1.19
allocator_frag_bytes:331976
allocator_rss_ratio:2.35
allocator_rss_bytes:2785280
rss_overhead_ratio:2.56
rss_overhead_bytes:7585792
mem_fragmentation_ratio:11.96
mem_fragmentation_bytes:11399792
mem_not_counted_for_evict:0
mem_replication_backlog:20508
mem_total_replication_buffers:20504
mem_clients_slaves:0
mem_clients_normal:1856
mem_cluster_links:0
mem_aof_buffer:0
mem_allocator:jemalloc-5.3.0
active_defrag_running:0
lazyfree_pending_objects:0
lazyfreed_objects:0

# Persistence
loading:0
async_loading:0
current_cow_peak:0
current_cow_size:0
current_cow_size_age:0
current_fork_perc:0.00
current_save_keys_processed:0
current_save_keys_total:0
rdb_changes_since_last_save:1
rdb_bgsave_in_progress:0
rdb_last_save_time:1795307426
rdb_last_bgsave_status:ok
rdb_last_bgsave_time_sec:-1
rdb_current_bgsave_time_sec:-1
rdb_saves:0
rdb_last_cow_size:0
rdb_last_load_keys_expired:0
rdb_last_load_keys_loaded:0
aof_enabled:0
aof_rewrite_in_progress:0
aof_rewrite_scheduled:0
aof_last_rewrite_time_sec:-1
aof_current_rewrite_time_sec:-1
aof_last_bgrewrite_status:ok
aof_rewrites:0
aof_rewrites_consecutive_failures:0
aof_last_write_status:ok
aof_last_cow_size:0
module_fork_in_progress:0
module_fork_last_cow_size:0

# Stats
total_connections_received:100
total_commands_processed:101
instantaneous_ops_per_sec:0
total_net_input_bytes:3455
total_net_output_bytes:65689
total_net_repl_input_bytes:309
total_net_repl_output_bytes:0
instantaneous_input_kbps:0.00
instantaneous_output_kbps:0.00
instantaneous_input_repl_kbps:0.00
instantaneous_output_repl_kbps:0.00
rejected_connections:0
sync_full:0
sync_partial_ok:0
sync_partial_err:0
expired_keys:0
expired_stale_perc:0.00
expired_time_cap_reached_count:0
expire_cycle_cpu_milliseconds:0
evicted_keys:0
evicted_clients:0
total_eviction_exceeded_time:0
current_eviction_exceeded_time:0
keyspace_hits:0
keyspace_misses:0
pubsub_channels:0
pubsub_patterns:0
pubsubshard_channels:0
latest_fork_usec:0
total_forks:0
migrate_cached_sockets:0
slave_expires_tracked_keys:0
active_defrag_hits:0
active_defrag_misses:0
active_defrag_key_hits:0
active_defrag_key_misses:0
total_active_defrag_time:0
current_active_defrag_time:0
tracking_total_keys:0
tracking_total_items:0
tracking_total_prefixes:0
unexpected_error_replies:0
total_error_replies:0
dump_payload_sanitizations:0
total_reads_processed:201
total_writes_processed:102
io_threaded_reads_processed:0
io_threaded_writes_processed:0
reply_buffer_shrinks:1
reply_buffer_expands:0

# Replication
role:slave
master_host:127.0.0.1
master_port:44847
master_link_status:down
master_last_io_seconds_ago:-1
master_sync_in_progress:0
slave_read_repl_offset:50
slave_repl_offset:50
master_link_down_since_seconds:2
slave_priority:100
slave_read_only:1
replica_announced:1
connected_slaves:0
master_failover_state:no-failover
master_replid:d96df7971bcff2cc43b1f1ed63a0afb38d4af8fd
master_replid2:0000000000000000000000000000000000000000
master_repl_offset:50
second_repl_offset:-1
repl_backlog_active:1
repl_backlog_size:1048576
repl_backlog_first_byte_offset:1
repl_backlog_histlen:50

# CPU
used_cpu_sys:0.028561
used_cpu_user:0.020079
used_cpu_sys_children:0.000000
used_cpu_user_children:0.000000
used_cpu_sys_main_thread:0.029088
used_cpu_user_main_thread:0.019392

# Modules

# Errorstats

# Cluster
cluster_enabled:0

# Keyspace
db0:keys=1,expires=0,avg_ttl=0
)info";

// `INFO` of a replica whose master was never reachable (down since -1).
constexpr std::string_view kInfoReplicaNeverConnected = R"info(# Server
redis_version:7.0.15
redis_git_sha1:00000000
redis_git_dirty:0
redis_build_id:ae4d7c971a948f0
redis_mode:standalone
os:Linux 6.18.44-fc-v657 x86_64
arch_bits:64
monotonic_clock:POSIX clock_gettime
multiplexing_api:epoll
atomicvar_api:c11-builtin
gcc_version:12.2.0
process_id:28650
process_supervised:no
run_id:46929b84a3ff6ca4ddc6a4f7c704a77b47215f15
tcp_port:48699
server_time_usec:1795307426401911
uptime_in_seconds:0
uptime_in_days:0
hz:10
configured_hz:10
lru_clock:145314
executable:/tmp/infocap/redis-server
config_file:
io_threads_active:0

# Clients
connected_clients:1
cluster_connections:0
maxclients:10000
client_recent_max_input_buffer:0
client_recent_max_output_buffer:0
blocked_clients:0
tracking_clients:0
clients_in_timeout_table:0

# Memory
used_memory:941848
used_memory_human:919.77K
used_memory_rss:12427264
used_memory_rss_human:11.85M
used_memory_peak:941848
used_memory_peak_human:919.77K
used_memory_peak_perc:100.26%
used_memory_overhead:876592
used_memory_startup:876392
used_memory_dataset:65256
used_memory_dataset_perc:99.69%
allocator_allocated:1735904
allocator_active:1880064
allocator_resident:4550656
total_system_memory:25276510208
total_system_memory_human:23.54G
used_memory_lua:32768
used_memory_vm_eval:32768
used_memory_lua_human:32.00K
used_memory_scripts_eval:0
number_of_cached_scripts:0
number_of_functions:0
number_of_libraries:0
used_memory_vm_functions:33792
used_memory_vm_total:66560
used_memory_vm_total_human:65.00K
used_memory_functions:200
used_memory_scripts:200
used_memory_scripts_human:200B
maxmemory:0
maxmemory_human:0B
maxmemory_policy:noeviction
allocator_frag_ratio:1.08
allocator_frag_bytes:144160
allocator_rss_ratio:2.42
allocator_rss_bytes:2670592
rss_overhead_ratio:2.73
rss_overhead_bytes:7876608
mem_fragmentation_ratio:13.79
mem_fragmentation_bytes:11526016
mem_not_counted_for_evict:0
mem_replication_backlog:0
mem_total_replication_buffers:0
mem_clients_slaves:0
mem_clients_normal:0
mem_cluster_links:0
mem_aof_buffer:0
mem_allocator:jemalloc-5.3.0
active_defrag_running:0
lazyfree_pending_objects:0
lazyfreed_objects:0

# Persistence
loading:0
async_loading:0
current_cow_peak:0
current_cow_size:0
current_cow_size_age:0
current_fork_perc:0.00
current_save_keys_processed:0
current_save_keys_total:0
rdb_changes_since_last_save:0
rdb_bgsave_in_progress:0
rdb_last_save_time:1795307426
rdb_last_bgsave_status:ok
rdb_last_bgsave_time_sec:-1
rdb_current_bgsave_time_sec:-1
rdb_saves:0
rdb_last_cow_size:0
rdb_last_load_keys_expired:0
rdb_last_load_keys_loaded:0
aof_enabled:0
aof_rewrite_in_progress:0
aof_rewrite_scheduled:0
aof_last_rewrite_time_sec:-1
aof_current_rewrite_time_sec:-1
aof_last_bgrewrite_status:ok
aof_rewrites:0
aof_rewrites_consecutive_failures:0
aof_last_write_status:ok
aof_last_cow_size:0
module_fork_in_progress:0
module_fork_last_cow_size:0

# Stats
total_connections_received:2
total_commands_processed:1
instantaneous_ops_per_sec:0
total_net_input_bytes:28
total_net_output_bytes:7
total_net_repl_input_bytes:0
total_net_repl_output_bytes:0
instantaneous_input_kbps:0.01
instantaneous_output_kbps:0.00
instantaneous_input_repl_kbps:0.00
instantaneous_output_repl_kbps:0.00
rejected_connections:0
sync_full:0
sync_partial_ok:0
sync_partial_err:0
expired_keys:0
expired_stale_perc:0.00
expired_time_cap_reached_count:0
expire_cycle_cpu_milliseconds:0
evicted_keys:0
evicted_clients:0
total_eviction_exceeded_time:0
current_eviction_exceeded_time:0
keyspace_hits:0
keyspace_misses:0
pubsub_channels:0
pubsub_patterns:0
pubsubshard_channels:0
latest_fork_usec:0
total_forks:0
migrate_cached_sockets:0
slave_expires_tracked_keys:0
active_defrag_hits:0
active_defrag_misses:0
active_defrag_key_hits:0
active_defrag_key_misses:0
total_active_defrag_time:0
current_active_defrag_time:0
tracking_total_keys:0
tracking_total_items:0
tracking_total_prefixes:0
unexpected_error_replies:0
total_error_replies:0
dump_payload_sanitizations:0
total_reads_processed:3
total_writes_processed:1
io_threaded_reads_processed:0
io_threaded_writes_processed:0
reply_buffer_shrinks:0
reply_buffer_expands:0

# Replication
role:slave
master_host:127.0.0.1
master_port:35347
master_link_status:down
master_last_io_seconds_ago:-1
master_sync_in_progress:0
slave_read_repl_offset:1
slave_repl_offset:1
master_link_down_since_seconds:-1
slave_priority:100
slave_read_only:1
replica_announced:1
connected_slaves:0
master_failover_state:no-failover
master_replid:055742a6c3a8669fac311c004fcaa4f56bc76de6
master_replid2:0000000000000000000000000000000000000000
master_repl_offset:0
second_repl_offset:-1
repl_backlog_active:0
repl_backlog_size:1048576
repl_backlog_first_byte_offset:0
repl_backlog_histlen:0

# CPU
used_cpu_sys:0.000000
used_cpu_user:0.012328
used_cpu_sys_children:0.000000
used_cpu_user_children:0.000000
used_cpu_sys_main_thread:0.000000
used_cpu_user_main_thread:0.012231

# Modules

# Errorstats

# Cluster
cluster_enabled:0

# Keyspace
)info";

// `INFO replication` of a master bound to ::1 with one replica.
constexpr std::string_view kInfoMasterIpv6 = R"info(# Replication
role:master
connected_slaves:1
slave0:ip=::1,port=54705,state=online,offset=0,lag=0
master_failover_state:no-failover
master_replid:4f3c8131e1848566299f7f51d90af0f4a829aa15
master_replid2:0000000000000000000000000000000000000000
master_repl_offset:0
second_repl_offset:-1
repl_backlog_active:1
repl_backlog_size:1048576
repl_backlog_first_byte_offset:1
repl_backlog_histlen:0
)info";

std::string crlf(std::string_view lf_text) {
    std::string out;
    out.reserve(lf_text.size() + lf_text.size() / 16);
    for (char c : lf_text) {
        if (c == '\n') {
            out += '\r';
        }
        out += c;
    }
    return out;
}

InfoReport parse(std::string_view lf_text, bool accept_hostnames = false) {
    return parse_info(crlf(lf_text), accept_hostnames);
}

// A tiny seeded generator: the garbage tests must replay exactly.
struct XorShift {
    std::uint64_t state;
    std::uint64_t next() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
};

}  // namespace

TEST_CASE("parse_info: real master INFO from redis-server 7.0.15") {
    const InfoReport r = parse(kInfoMaster);
    CHECK(r.run_id == "b7c5eaef1bd558e032a97e163ba80f5655eca0af");
    CHECK(r.role == ReportedRole::master);
    REQUIRE(r.replicas.size() == 2);
    CHECK(r.replicas[0].host == "127.0.0.1");
    CHECK(r.replicas[0].ip == "127.0.0.1");
    CHECK(r.replicas[0].port == 37093);
    CHECK(r.replicas[0].state == "online");
    CHECK(r.replicas[1].host == "127.0.0.1");
    CHECK(r.replicas[1].port == 55493);
    CHECK(r.replicas[1].state == "online");
    CHECK_FALSE(r.replicas_truncated);
    CHECK(r.master_link_down_since_ms == 0);
    // A master prints none of the replica-side lines, so everything stays "not reported".
    CHECK_FALSE(r.master_host.has_value());
    CHECK_FALSE(r.master_port.has_value());
    CHECK_FALSE(r.master_link_up.has_value());
    CHECK_FALSE(r.slave_priority.has_value());
    CHECK_FALSE(r.slave_repl_offset.has_value());
    CHECK_FALSE(r.replica_announced.has_value());
}

TEST_CASE("parse_info: LF-only text parses like the CRLF wire form") {
    for (auto text : {kInfoMaster, kInfoReplica, kInfoReplicaLinkDown, kInfoMasterIpv6}) {
        CHECK(parse_info(text, false) == parse(text));
    }
}

TEST_CASE("parse_info: real replica INFO, link up") {
    const InfoReport r = parse(kInfoReplica);
    CHECK(r.run_id == "16e136dd846c0111ec75940914bd63845dc52524");
    CHECK(r.role == ReportedRole::slave);
    CHECK(r.replicas.empty());
    CHECK(r.master_host == "127.0.0.1");
    CHECK(r.master_port == 44847);
    CHECK(r.master_link_up == true);
    CHECK(r.master_link_down_since_ms == 0);
    CHECK(r.slave_priority == 100);
    CHECK(r.slave_repl_offset == 50u);
    CHECK(r.replica_announced == 1);
}

TEST_CASE("parse_info: real replica INFO with replica-priority 0 and replica-announced no") {
    const InfoReport r = parse(kInfoReplicaPriority0);
    CHECK(r.run_id == "d047d660b2aac72d2bf599656f240aceba449832");
    CHECK(r.role == ReportedRole::slave);
    CHECK(r.master_link_up == true);
    CHECK(r.slave_priority == 0);
    CHECK(r.replica_announced == 0);
    CHECK(r.slave_repl_offset == 50u);
}

TEST_CASE("parse_info: real replica INFO after its master died") {
    const InfoReport r = parse(kInfoReplicaLinkDown);
    CHECK(r.role == ReportedRole::slave);
    CHECK(r.master_host == "127.0.0.1");
    CHECK(r.master_port == 44847);
    CHECK(r.master_link_up == false);
    CHECK(r.master_link_down_since_ms == 2000);
    CHECK(r.slave_repl_offset == 50u);
}

TEST_CASE("parse_info: real replica INFO that never reached its master") {
    const InfoReport r = parse(kInfoReplicaNeverConnected);
    CHECK(r.role == ReportedRole::slave);
    CHECK(r.master_port == 35347);
    CHECK(r.master_link_up == false);
    // redis-server prints -1 and Redis multiplies without looking.
    CHECK(r.master_link_down_since_ms == -1000);
    CHECK(r.slave_repl_offset == 1u);
    CHECK(r.slave_priority == 100);
}

TEST_CASE("parse_info: real IPv6 master INFO lists an unbracketed ::1 replica") {
    const InfoReport r = parse(kInfoMasterIpv6);
    CHECK(r.role == ReportedRole::master);
    CHECK_FALSE(r.run_id.has_value());  // INFO replication has no # Server section
    REQUIRE(r.replicas.size() == 1);
    CHECK(r.replicas[0].host == "::1");
    CHECK(r.replicas[0].ip == "::1");
    CHECK(r.replicas[0].port == 54705);
    CHECK(r.replicas[0].state == "online");
}

TEST_CASE("parse_info: legacy slaveN:<ip>,<port>,<state> lines") {
    const InfoReport r = parse(
        "role:master\n"
        "slave0:10.0.0.1,6380,online\n"
        "slave1:::1,6381,wait_bgsave\n"  // IPv6: the first ':' starts the address
        "slave2:10.0.0.3,6382\n"         // Redis needs the comma after the port
        "slave3:10.0.0.4,6383,\n"        // ... but not a state after it
        "slave4 10.0.0.5,6384,online\n"  // no ':' at all
        "slave5:10.0.0.6,6385,online,extra\n");
    REQUIRE(r.replicas.size() == 4);
    CHECK(r.replicas[0].ip == "10.0.0.1");
    CHECK(r.replicas[0].port == 6380);
    CHECK(r.replicas[0].state == "online");
    CHECK(r.replicas[1].ip == "::1");
    CHECK(r.replicas[1].port == 6381);
    CHECK(r.replicas[1].state == "wait_bgsave");
    CHECK(r.replicas[2].ip == "10.0.0.4");
    CHECK(r.replicas[2].state == "");
    CHECK(r.replicas[3].ip == "10.0.0.6");
    CHECK(r.replicas[3].state == "online");
}

TEST_CASE("parse_info: replica lines Redis 7.0 skips or accepts") {
    const InfoReport r = parse(
        "slave:ip=10.0.0.1,port=1\n"       // no digit after "slave"
        "slaves0:ip=10.0.0.1,port=2\n"     // ditto
        "slave0\n"                         // shorter than 7
        "slave_priority:100\n"             // '_' is not a digit
        "slave0:ip=10.0.0.1\n"             // no port=
        "slave0:ip=10.0.0.1,port=65536\n"  // createSentinelAddr: port out of range
        "slave0:ip=10.0.0.1,port=-1\n"
        "slave0:ip=,port=6379\n"                // empty address does not resolve
        "slave0:ip=redis-a,port=6379\n"         // host name, resolve-hostnames is off
        "slave0:ip=10.0.0.1 ,port=6379\n"       // not an IP literal
        "slave0:ip=10.0.0.2,port=0,state=x\n"   // 7.0 accepts port 0
        "slave7x:ip=10.0.0.3,port=65535\n"      // only the first character after "slave" counts
        "slave0:port=7001,ip=10.0.0.4\n"        // keys in any order
        "slave0:zip=10.0.0.5,port=7002\n"       // strstr: "zip=" contains "ip="
        "slave0:ip=10.0.0.6,port= 7003junk\n"   // atoi
        "slave0:ip=10.0.0.7,port=4294973679\n"  // atoi keeps the low 32 bits: 6383
        "slave0:ip=127.1,port=7004\n");         // inet_aton forms normalize
    REQUIRE(r.replicas.size() == 7);
    CHECK(r.replicas[0].ip == "10.0.0.2");
    CHECK(r.replicas[0].port == 0);
    CHECK(r.replicas[0].state == "x");
    CHECK(r.replicas[1].ip == "10.0.0.3");
    CHECK(r.replicas[1].port == 65535);
    CHECK(r.replicas[2].ip == "10.0.0.4");
    CHECK(r.replicas[2].port == 7001);
    CHECK(r.replicas[3].ip == "10.0.0.5");
    CHECK(r.replicas[4].port == 7003);
    CHECK(r.replicas[5].port == 6383);
    CHECK(r.replicas[6].host == "127.1");
    CHECK(r.replicas[6].ip == "127.0.0.1");
    // None of these lines is a role line, so nothing else was read.
    CHECK(r.role == ReportedRole::unknown);
}

// A fake master served exactly this INFO to a real redis-sentinel 7.0.15; SENTINEL REPLICAS then
// listed 127.0.0.1:7001, 127.0.0.1:0, 127.0.0.1:7003, [::1]:7005, 127.0.0.1:7006,
// 127.0.0.1:7007 and 127.0.0.1:7008, and SENTINEL MASTER showed the first 40 characters of the
// run id. With resolve-hostnames yes it also kept ":7002" (redis-host), ":7010" ("bad name")
// and ":7011" (""), all unresolved.
TEST_CASE("parse_info: replica lines as a real redis-sentinel 7.0.15 accepted them") {
    const std::string_view text =
        "# Server\n"
        "run_id:0123456789abcdef0123456789abcdef01234567EXTRA\n"
        "# Replication\n"
        "role:master\n"
        "slave0:ip=127.1,port=7001,state=online\n"
        "slave1:ip=127.0.0.1,port=0,state=online\n"
        "slave2:ip=redis-host,port=7002,state=online\n"
        "slave11:ip=bad name,port=7010\n"
        "slave12:ip=,port=7011\n"
        "slave3:127.0.0.1,7003,online\n"
        "slave4:127.0.0.1,7004\n"
        "slave5:ip=127.0.0.1,port=65536,state=online\n"
        "slave6:ip=::1,port=7005,state=wait_bgsave\n"
        "slave7:ip=127.0.0.1,port= 7006junk\n"
        "slave8:zip=127.0.0.1,port=7007\n"
        "slave9:ip=127.0.0.1,port=4294974304\n"
        "slave_10:ip=127.0.0.1,port=7009\n"
        "slave10:ip=127.0.0.1\n";
    auto names = [](const InfoReport& r) {
        std::vector<std::string> out;
        for (const auto& replica : r.replicas) {
            const std::string& addr = replica.ip.empty() ? replica.host : replica.ip;
            out.push_back((addr.find(':') != std::string::npos ? "[" + addr + "]" : addr) + ":" +
                          std::to_string(replica.port));
        }
        return out;
    };
    const InfoReport off = parse(text, false);
    CHECK(off.run_id == "0123456789abcdef0123456789abcdef01234567");
    CHECK(names(off) == std::vector<std::string>{"127.0.0.1:7001", "127.0.0.1:0", "127.0.0.1:7003",
                                                 "[::1]:7005", "127.0.0.1:7006", "127.0.0.1:7007",
                                                 "127.0.0.1:7008"});
    // Our one deviation: "bad name" and "" are not DNS-shaped, so they stay out.
    const InfoReport on = parse(text, true);
    CHECK(names(on) == std::vector<std::string>{"127.0.0.1:7001", "127.0.0.1:0", "redis-host:7002",
                                                "127.0.0.1:7003", "[::1]:7005", "127.0.0.1:7006",
                                                "127.0.0.1:7007", "127.0.0.1:7008"});
}

TEST_CASE("parse_info: host-name replicas only with resolve-hostnames") {
    const std::string_view text =
        "role:master\n"
        "slave0:ip=redis-a.example,port=6379,state=online\n"
        "slave1:ip=bad name,port=6379,state=online\n"
        "slave2:ip=fe80::1%lo,port=6379,state=online\n";
    const InfoReport off = parse(text, false);
    REQUIRE(off.replicas.size() == 1);
    CHECK(off.replicas[0].host == "fe80::1%lo");
    CHECK(off.replicas[0].ip == "fe80::1");

    const InfoReport on = parse(text, true);
    REQUIRE(on.replicas.size() == 2);
    CHECK(on.replicas[0].host == "redis-a.example");
    CHECK(on.replicas[0].ip.empty());  // left for the runtime to resolve
    CHECK(on.replicas[1].ip == "fe80::1");
}

TEST_CASE("parse_info: replica-side fields count only after role:slave") {
    SUBCASE("before the role line they are ignored") {
        const InfoReport r = parse(
            "master_host:10.0.0.9\nmaster_port:6379\nslave_priority:5\n"
            "role:slave\nmaster_link_status:up\n");
        CHECK(r.role == ReportedRole::slave);
        CHECK_FALSE(r.master_host.has_value());
        CHECK_FALSE(r.master_port.has_value());
        CHECK_FALSE(r.slave_priority.has_value());
        CHECK(r.master_link_up == true);
    }
    SUBCASE("a later role:master stops reading them; the last role wins") {
        const InfoReport r =
            parse("role:slave\nmaster_port:1\nrole:master\nmaster_port:2\nslave_priority:3\n");
        CHECK(r.role == ReportedRole::master);
        CHECK(r.master_port == 1);
        CHECK_FALSE(r.slave_priority.has_value());
    }
    SUBCASE("repeated lines: the last one wins") {
        const InfoReport r =
            parse("role:slave\nslave_priority:1\nslave_priority:2\nmaster_host:a\nmaster_host:\n");
        CHECK(r.slave_priority == 2);
        CHECK(r.master_host == "");
    }
    SUBCASE("replica_priority: is not read by 7.0") {
        const InfoReport r = parse("role:slave\nreplica_priority:0\n");
        CHECK_FALSE(r.slave_priority.has_value());
    }
    SUBCASE("master_link_down_since_seconds is read whatever the role") {
        CHECK(parse("master_link_down_since_seconds:3\n").master_link_down_since_ms == 3000);
        CHECK(parse("role:master\nmaster_link_down_since_seconds:4\n").master_link_down_since_ms ==
              4000);
    }
}

TEST_CASE("parse_info: role lines match by prefix") {
    CHECK(parse("role:masterful\n").role == ReportedRole::master);
    CHECK(parse("role:slaveish\n").role == ReportedRole::slave);
    CHECK(parse("role:sentinel\n").role == ReportedRole::unknown);
    CHECK(parse("role:slav\n").role == ReportedRole::unknown);
    CHECK(parse("role:slave\nrole:sentinel\n").role == ReportedRole::slave);
    CHECK(parse("ROLE:master\n").role == ReportedRole::unknown);
}

TEST_CASE("parse_info: run_id takes the first 40 characters of a long enough value") {
    const std::string id40 = "0123456789abcdef0123456789abcdef01234567";
    CHECK(parse("run_id:" + id40 + "\n").run_id == id40);
    CHECK_FALSE(parse("run_id:" + id40.substr(0, 39) + "\n").run_id.has_value());
    CHECK(parse("run_id:" + id40 + "89\n").run_id == id40);
    CHECK(parse("run_id:" + id40 + "\nrun_id:" + std::string(40, 'f') + "\n").run_id ==
          std::string(40, 'f'));
    // Any 40 bytes will do: Redis does not check for hex.
    CHECK(parse("run_id:" + std::string(40, ' ') + "\n").run_id == std::string(40, ' '));
}

TEST_CASE("parse_info: missing fields and empty replies") {
    const InfoReport empty = parse_info("", false);
    CHECK(empty == InfoReport{});
    CHECK(parse_info("\r\n\r\n", false) == InfoReport{});
    const InfoReport r = parse("role:slave\n");
    CHECK(r.role == ReportedRole::slave);
    CHECK_FALSE(r.master_host.has_value());
    CHECK_FALSE(r.master_link_up.has_value());
    CHECK_FALSE(r.slave_priority.has_value());
    CHECK_FALSE(r.replica_announced.has_value());
    CHECK(r.master_link_down_since_ms == 0);
    // Keys without a value: too short for Redis's length checks, or read as 0 / "".
    const InfoReport bare = parse(
        "role:slave\nmaster_host:\nmaster_port:\nmaster_link_status:\nslave_priority:\n"
        "slave_repl_offset:\nreplica_announced:\nmaster_link_down_since_seconds:\n");
    CHECK(bare.master_host == "");
    CHECK(bare.master_port == 0);
    CHECK(bare.master_link_up == false);
    CHECK(bare.slave_priority == 0);
    CHECK(bare.slave_repl_offset == 0u);
    CHECK(bare.replica_announced == 0);
    CHECK(bare.master_link_down_since_ms == 0);
}

TEST_CASE("parse_info: numbers read the way C's atoi/strtoll/strtoull read them") {
    const InfoReport r = parse(
        "role:slave\n"
        "slave_priority: 7x\n"
        "master_port:4294967297\n"
        "slave_repl_offset:-1\n"
        "replica_announced:no\n");
    CHECK(r.slave_priority == 7);
    CHECK(r.master_port == 1);
    CHECK(r.slave_repl_offset == std::numeric_limits<std::uint64_t>::max());
    CHECK(r.replica_announced == 0);

    CHECK(parse("role:slave\nslave_repl_offset:99999999999999999999999\n").slave_repl_offset ==
          std::numeric_limits<std::uint64_t>::max());
    CHECK(parse("role:slave\nslave_priority:99999999999999999999\n").slave_priority == -1);
    // Huge link-down times saturate instead of overflowing the multiplication.
    CHECK(
        parse("master_link_down_since_seconds:99999999999999999999\n").master_link_down_since_ms ==
        std::numeric_limits<std::int64_t>::max());
    CHECK(
        parse("master_link_down_since_seconds:-99999999999999999999\n").master_link_down_since_ms ==
        std::numeric_limits<std::int64_t>::min());
    CHECK(parse("master_link_down_since_seconds:9223372036854775\n").master_link_down_since_ms ==
          9223372036854775000);
    // Redis compares 30 bytes and skips the 31st without looking at it.
    CHECK(parse("master_link_down_since_secondsX5\n").master_link_down_since_ms == 5000);
    CHECK(parse("master_link_down_since_seconds:\n").master_link_down_since_ms == 0);
}

TEST_CASE("parse_info: master_link_status is up only for \"up\" in any case") {
    auto link = [](std::string_view status) {
        return parse("role:slave\nmaster_link_status:" + std::string(status) + "\n").master_link_up;
    };
    CHECK(link("up") == true);
    CHECK(link("UP") == true);
    CHECK(link("Up") == true);
    CHECK(link("down") == false);
    CHECK(link("up ") == false);
    CHECK(link("upx") == false);
    CHECK(link("u") == false);
}

TEST_CASE("parse_info: the c_* helpers agree with glibc") {
    const char* inputs[] = {"",
                            "0",
                            "42",
                            "  42",
                            "\t\n\v\f\r 42",
                            "+42",
                            "-42",
                            "42abc",
                            "abc",
                            "- 42",
                            "--42",
                            "0x1f",
                            "007",
                            "2147483647",
                            "2147483648",
                            "4294967296",
                            "4294967297",
                            "-2147483649",
                            "9223372036854775807",
                            "9223372036854775808",
                            "-9223372036854775808",
                            "-9223372036854775809",
                            "18446744073709551615",
                            "18446744073709551616",
                            "-18446744073709551615",
                            "-18446744073709551616",
                            "99999999999999999999999999",
                            "-1",
                            "1 2"};
    for (const char* in : inputs) {
        CAPTURE(in);
        CHECK(c_atoi(in) == std::atoi(in));
        CHECK(c_strtoll(in) == std::strtoll(in, nullptr, 10));
        CHECK(c_strtoull(in) == std::strtoull(in, nullptr, 10));
    }
}

TEST_CASE("parse_info: the text ends at the first NUL, as Redis's C string does") {
    std::string text = crlf("role:slave\nslave_priority:5\n");
    text += '\0';
    text += crlf("slave_priority:6\nmaster_port:7\n");
    const InfoReport r = parse_info(text, false);
    CHECK(r.slave_priority == 5);
    CHECK_FALSE(r.master_port.has_value());
}

TEST_CASE("parse_info: a bare CR stays inside the line, as with Redis's \\r\\n split") {
    const InfoReport r = parse_info("role:slave\r\nslave_priority:5\rmaster_port:9\r\n", false);
    CHECK(r.slave_priority == 5);
    CHECK_FALSE(r.master_port.has_value());
}

TEST_CASE("parse_info: every truncation of real INFO parses to a sensible prefix") {
    const std::string full = crlf(kInfoMaster);
    const InfoReport whole = parse_info(full, false);
    for (std::size_t n = 0; n <= full.size(); ++n) {
        const InfoReport r = parse_info(std::string_view(full).substr(0, n), false);
        CHECK(r.replicas.size() <= whole.replicas.size());
        if (r.run_id) {
            CHECK(r.run_id == whole.run_id);
        }
        CHECK(r.role != ReportedRole::slave);
    }
    // Cut inside the run id: too short for Redis's 47-byte check.
    const auto at = full.find("run_id:");
    CHECK_FALSE(parse_info(std::string_view(full).substr(0, at + 46), false).run_id.has_value());
    CHECK(parse_info(std::string_view(full).substr(0, at + 47), false).run_id == whole.run_id);
    // Cut inside a replica line: "slave1:ip=127.0.0.1,port=55" still names port 55.
    const auto s1 = full.find("slave1:");
    const InfoReport cut = parse_info(std::string_view(full).substr(0, s1 + 27), false);
    REQUIRE(cut.replicas.size() == 2);
    CHECK(cut.replicas[1].port == 55);
}

TEST_CASE("parse_info: random garbage never breaks it") {
    XorShift rng{0x9e3779b97f4a7c15ULL};
    // Bytes biased towards the characters the parser looks at.
    const auto alphabet = "slave0123456789:,=ip.portrun_id\r\n\0 -x"sv;
    for (int round = 0; round < 2000; ++round) {
        std::string text;
        const auto len = rng.next() % 600;
        for (std::uint64_t i = 0; i < len; ++i) {
            const auto pick = rng.next();
            text +=
                (pick & 1) ? static_cast<char>(pick >> 8) : alphabet[(pick >> 8) % alphabet.size()];
        }
        const InfoReport r = parse_info(text, (round & 1) != 0);
        for (const auto& replica : r.replicas) {
            CHECK(replica.port >= 0);
            CHECK(replica.port <= 65535);
            CHECK_FALSE(replica.host.empty());
        }
        if (r.run_id) {
            CHECK(r.run_id->size() == 40);
        }
    }
}

TEST_CASE("parse_info: replica lines are capped and huge lines skipped") {
    std::string text = "role:master\r\n";
    for (std::size_t i = 0; i < kMaxInfoReplicas + 5; ++i) {
        text += "slave" + std::to_string(i) + ":ip=10.0.0.1,port=" + std::to_string(i % 60000) +
                ",state=online,offset=0,lag=0\r\n";
    }
    const InfoReport r = parse_info(text, false);
    CHECK(r.replicas.size() == kMaxInfoReplicas);
    CHECK(r.replicas_truncated);
    CHECK(r.replicas.back().port == static_cast<int>((kMaxInfoReplicas - 1) % 60000));

    std::string huge = "role:slave\r\nmaster_host:" + std::string(kMaxInfoLineLength, 'h') +
                       "\r\nmaster_port:6379\r\n";
    const InfoReport h = parse_info(huge, false);
    CHECK_FALSE(h.master_host.has_value());
    CHECK(h.master_port == 6379);
    // Exactly at the limit is still read.
    std::string edge =
        "role:slave\r\nmaster_host:" + std::string(kMaxInfoLineLength - 12, 'h') + "\r\n";
    CHECK(parse_info(edge, false).master_host->size() == kMaxInfoLineLength - 12);
}
