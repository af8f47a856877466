# syntax=docker/dockerfile:1
# Talos images, one file, three targets (build context: the repository root):
#   docker build --target seed      -t talos/talos-seed:TAG .
#   docker build --target node      -t talos/talos-node:TAG .
#   docker build --target node-cuda -t talos/talos-node-cuda:TAG .
# Configuration only through the executables' TALOS_* environment variables (docs/DEPLOY.md); the images set the
# container defaults below and nothing else. Every target runs as the unprivileged user talos (uid/gid 10001).

ARG DOTNET_VERSION=10.0
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-runtime-ubuntu24.04

# ---- build: restore once, publish both executables framework-dependent for linux-x64 ----
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
# Project files first, so the restore layer is cached until a dependency changes.
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY Talos.Messages/Talos.Messages.csproj Talos.Messages/
COPY Talos.Vault/Talos.Vault.csproj Talos.Vault/
COPY Talos.Gpu/Talos.Gpu.csproj Talos.Gpu/
COPY Talos.Actors/Talos.Actors.csproj Talos.Actors/
COPY Talos.Cluster.Seed/Talos.Cluster.Seed.csproj Talos.Cluster.Seed/
COPY Talos.Cluster.Node/Talos.Cluster.Node.csproj Talos.Cluster.Node/
RUN dotnet restore Talos.Cluster.Seed/Talos.Cluster.Seed.csproj -r linux-x64 \
 && dotnet restore Talos.Cluster.Node/Talos.Cluster.Node.csproj -r linux-x64
COPY . .
RUN dotnet publish Talos.Cluster.Seed/Talos.Cluster.Seed.csproj -c Release -r linux-x64 --self-contained false --no-restore -o /out/seed \
 && dotnet publish Talos.Cluster.Node/Talos.Cluster.Node.csproj -c Release -r linux-x64 --self-contained false --no-restore -o /out/node

# ---- runtime base: ASP.NET Core runtime (the management listener) + ffmpeg (CUTTURA encodes and probes) + fontconfig
# and the DejaVu and Noto fonts (CUTTURA titles: Latin, Arabic, Hebrew, CJK) ----
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates fontconfig fonts-dejavu-core fonts-noto-core fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 talos \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin talos \
 && mkdir -p /var/lib/talos/vault /var/lib/talos/work \
 && chown -R 10001:10001 /var/lib/talos
ENV TALOS_PORT=4053 \
    TALOS_MANAGEMENT_URL=http://0.0.0.0:9090 \
    TALOS_WORK_DIR=/var/lib/talos/work \
    TALOS_VAULT=/var/lib/talos/vault
EXPOSE 4053 9090
WORKDIR /app
USER 10001:10001

# ---- seed (role core): lighthouse, Hephaestus singleton, operator API (TALOS_API_URL, port 8080) ----
FROM runtime AS seed
COPY --from=build --chown=10001:10001 /out/seed /app
ENV TALOS_ROLES=core \
    TALOS_API_URL=http://0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/Talos.Cluster.Seed.dll"]

# ---- node (role gpu) on CPUs: the kernels' CPU paths ----
FROM runtime AS node
COPY --from=build --chown=10001:10001 /out/node /app
ENV TALOS_ROLES=gpu
ENTRYPOINT ["dotnet", "/app/Talos.Cluster.Node.dll"]

# ---- node for GPU pools: NVIDIA's CUDA runtime base with the .NET runtime copied in. The driver (libcuda) comes
# from the host through the NVIDIA container toolkit; ILGPU compiles its kernels to PTX at run time. openssl brings
# libssl (libssl3 or libssl3t64, by release) for TLS to PostgreSQL; .NET needs no ICU (invariant globalization). ----
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS dotnet-runtime
FROM ${CUDA_IMAGE} AS node-cuda
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates openssl fontconfig fonts-dejavu-core fonts-noto-core fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 talos \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin talos \
 && mkdir -p /var/lib/talos/vault /var/lib/talos/work \
 && chown -R 10001:10001 /var/lib/talos
COPY --from=dotnet-runtime /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
COPY --from=build --chown=10001:10001 /out/node /app
ENV DOTNET_ROOT=/usr/share/dotnet \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,video \
    TALOS_PORT=4053 \
    TALOS_MANAGEMENT_URL=http://0.0.0.0:9090 \
    TALOS_WORK_DIR=/var/lib/talos/work \
    TALOS_VAULT=/var/lib/talos/vault \
    TALOS_ROLES=gpu
EXPOSE 4053 9090
WORKDIR /app
USER 10001:10001
ENTRYPOINT ["dotnet", "/app/Talos.Cluster.Node.dll"]
