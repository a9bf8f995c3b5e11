# The dashboard (web/): bundled with esbuild at build time and embedded into the binary as bytes
# (cmake/EmbedFiles.cmake), so `nfmetrics serve` needs no files and fetches nothing at run time.
# Defines nfmetrics_dashboard, which implements src/http/dashboard_assets.hpp; with
# -DNFMETRICS_DASHBOARD=OFF it holds only a page saying the dashboard was not built.
set(dashboard_web_dir ${PROJECT_SOURCE_DIR}/web)
set(dashboard_generated ${CMAKE_CURRENT_BINARY_DIR}/dashboard_assets.cpp)

if(NFMETRICS_DASHBOARD)
  find_program(NFMETRICS_NODE node)
  set(dashboard_missing "")
  if(NOT NFMETRICS_NODE)
    set(dashboard_missing "node (Node.js 18 or newer) is not on PATH")
  elseif(NOT EXISTS ${dashboard_web_dir}/node_modules/esbuild/package.json
         OR NOT EXISTS ${dashboard_web_dir}/node_modules/uplot/package.json)
    set(dashboard_missing "web/node_modules is missing or incomplete (npm ci has not run)")
  endif()
  if(dashboard_missing)
    message(FATAL_ERROR
      "The dashboard cannot be built: ${dashboard_missing}.\n"
      "Run scripts/build.sh (it runs `npm ci` in web/), or `npm ci` in web/ yourself, then "
      "configure again; or configure with -DNFMETRICS_DASHBOARD=OFF to build without the "
      "dashboard (/ then answers a page saying so).")
  endif()

  file(GLOB_RECURSE dashboard_sources CONFIGURE_DEPENDS
    ${dashboard_web_dir}/src/*.ts ${dashboard_web_dir}/*.html ${dashboard_web_dir}/*.css
    ${dashboard_web_dir}/*.svg)
  set(dashboard_out ${CMAKE_CURRENT_BINARY_DIR}/dashboard)
  add_custom_command(
    OUTPUT ${dashboard_generated}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${dashboard_out}
    COMMAND ${NFMETRICS_NODE} ${dashboard_web_dir}/build.mjs ${dashboard_out}
    COMMAND ${CMAKE_COMMAND} -DINPUT_DIR=${dashboard_out} -DOUTPUT=${dashboard_generated}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake
    DEPENDS ${dashboard_sources} ${dashboard_web_dir}/build.mjs
            ${dashboard_web_dir}/package-lock.json ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake
    WORKING_DIRECTORY ${dashboard_web_dir}
    COMMENT "Bundling the dashboard (web/) and embedding it"
    VERBATIM)
  add_library(nfmetrics_dashboard STATIC ${dashboard_generated})
else()
  add_library(nfmetrics_dashboard STATIC ${CMAKE_CURRENT_SOURCE_DIR}/dashboard/not_built.cpp)
endif()
target_include_directories(nfmetrics_dashboard PRIVATE ${PROJECT_SOURCE_DIR}/src)
add_library(nfmetrics::dashboard ALIAS nfmetrics_dashboard)
